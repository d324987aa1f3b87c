import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keysCommand } from '../../src/cli/keys.ts';
import { createKey } from '../../src/store/keys.ts';
import { listTeams } from '../../src/store/teams.ts';
import { adminTestApp, MASTER, withMasterKey, type ErrorJson } from '../support/admin-app.ts';
import { budgetApp } from '../support/budget-app.ts';
import { runCommand } from '../support/run-command.ts';

// Finding 9: one out-of-range duration must not be stored, and a bad row must not stop revocation.
let restore = () => {};
beforeAll(() => (restore = withMasterKey(MASTER)));
afterAll(() => restore());

test('durations and dates beyond 10 years are a 400 naming the field, and no key is created', async () => {
  const { call } = await adminTestApp();
  for (const [field, body] of [
    ['expires', { name: 'x', expires: '999999999w' }],
    ['expires', { name: 'x', expires: '9999-12-31' }],
    ['expires', { name: 'x', expires: '3651d' }],
  ] as const) {
    const r = await call('POST', '/admin/keys', body);
    expect(r.status).toBe(400);
    const e = ((await r.json()) as ErrorJson).error;
    expect(e.param).toBe(field);
    expect(e.message).toContain('10 years');
  }
  const list = (await (await call('GET', '/admin/keys')).json()) as { data: unknown[] };
  expect(list.data.length).toBe(0);
  const created = (await (await call('POST', '/admin/keys', { name: 'ok', expires: '3650d' })).json()) as { record: { id: string } };
  const rot = await call('POST', `/admin/keys/${created.record.id}/rotate`, { grace: '999999999w' });
  expect(rot.status).toBe(400);
  expect(((await rot.json()) as ErrorJson).error.param).toBe('grace');
  const usage = await call('GET', '/admin/usage?since=999999999w');
  expect(usage.status).toBe(400);
  expect(((await usage.json()) as ErrorJson).error.param).toBe('since');
});

test('the CLI refuses the same value in one line with exit code 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-bounds-'));
  const config = join(dir, 'gateway.config.yaml');
  writeFileSync(config, `database: { url: "file:${join(dir, 'db.sqlite')}" }\nproviders: { mock: { type: mock } }\n`);
  const err: string[] = [];
  const cmd = keysCommand({ out: () => {}, err: (t) => err.push(t), write: () => {} });
  const code = await runCommand(cmd, ['create', '--name', 'x', '--expires', '999999999w', '--config', config]);
  expect(code).toBe(2);
  expect(err.join('\n').trim().split('\n').length).toBe(1);
  expect(err[0]).toContain('10 years');
});

test('creating a key is atomic: when the key cannot be written, its new team is not left behind', async () => {
  const t = await budgetApp('providers: { mock: { type: mock } }\n');
  const bad = { name: 'x', team: 'ghost', metadata: { n: 1n } as Record<string, unknown> };
  expect(createKey(t.store, bad)).rejects.toThrow();
  await Bun.sleep(10);
  expect((await listTeams(t.store)).map((r) => r.id)).not.toContain('ghost');
  await t.close();
});

test('a row with an out-of-range integer cannot stall the key cache: a revocation still lands within a second', async () => {
  const t = await budgetApp('server: { allow_anonymous: false }\nproviders: { mock: { type: mock } }\nmodels: { m: { provider: mock, model: mock/ok } }\n');
  const a = await createKey(t.store, { name: 'a' });
  const b = await createKey(t.store, { name: 'b' });
  const ask = (key: string) => t.post('/v1/chat/completions', key, { model: 'm', messages: [{ role: 'user', content: 'hi' }] }).then((r) => r.status);
  expect(await ask(a.key)).toBe(200);
  expect(await ask(b.key)).toBe(200);
  // What '999999999w' used to store (written as every key write is: with the next change number): above 2^53, so libSQL refuses to read the row.
  await t.store.client.execute({ sql: 'UPDATE virtual_keys SET expires_at = 604799999395200000, updated_at = ?, change_seq = (SELECT coalesce(max(change_seq), 0) + 1 FROM virtual_keys) WHERE id = ?', args: [Date.now(), b.row.id] });
  await Bun.sleep(250);
  const revokedAt = Date.now();
  await t.store.client.execute({ sql: 'UPDATE virtual_keys SET revoked_at = ?, updated_at = ?, change_seq = (SELECT coalesce(max(change_seq), 0) + 1 FROM virtual_keys) WHERE id = ?', args: [revokedAt, revokedAt, a.row.id] });
  let status = 200;
  while (status === 200 && Date.now() - revokedAt < 3000) {
    await Bun.sleep(25);
    status = await ask(a.key);
  }
  console.log(`revocation seen after ${Date.now() - revokedAt} ms with a bad row present`);
  expect(status).toBe(401);
  expect(Date.now() - revokedAt).toBeLessThan(1000);
  // The bad row's own key fails closed, never a 500.
  expect(await ask(b.key)).toBe(401);
  await t.close();
});
