import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Command } from 'commander';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type Gateway } from '../../src/server/start.ts';
import { configSource } from '../../src/cli/config-source.ts';
import { auditCommand } from '../../src/cli/audit.ts';
import { keysCommand } from '../../src/cli/keys.ts';
import { teamsCommand } from '../../src/cli/teams.ts';
import type { Io } from '../../src/cli/parse-action.ts';
import { openStore, type Store } from '../../src/store/client.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { sha256Hex } from '../../src/lib/hash.ts';
import { runCommand } from '../support/run-command.ts';

// Issue 15 item 7: every admin action, from the admin API of a real gateway and from the CLI,
// and the gateway's own config reloads, land in an append-only audit log without key material.
const MASTER = 'audit-test-master-key-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'tollgate-audit-'));
const file = join(dir, 'gateway.config.yaml');
const dbUrl = `file:${join(dir, 'gw.db')}`;
const cfg = (model: string) => `server: { host: 127.0.0.1, port: 0, allow_anonymous: false }\ndatabase: { url: "${dbUrl}" }\npolicy: { enabled: false }\nproviders:\n  mock: { type: mock }\nmodels:\n  ${model}: { provider: mock, model: mock/ok }\n`;
let gw: Gateway;
let store: Store;
const previousMaster = process.env.TOLLGATE_MASTER_KEY;
const plaintext: string[] = [];

beforeAll(async () => {
  process.env.TOLLGATE_MASTER_KEY = MASTER;
  writeFileSync(file, cfg('first'));
  gw = await startGateway({ source: configSource(file), signals: false, quiet: true, logger: silentLogger });
  store = await openStore({ url: dbUrl });
});
afterAll(async () => {
  await gw?.stop();
  store?.close();
  if (previousMaster === undefined) delete process.env.TOLLGATE_MASTER_KEY;
  else process.env.TOLLGATE_MASTER_KEY = previousMaster;
  rmSync(dir, { recursive: true, force: true });
});

const admin = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(gw.url + path, { method, headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, any> };
};

const COMMANDS: Record<string, (io: Io) => Command> = { audit: auditCommand, keys: keysCommand, teams: teamsCommand };
async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const cmd = COMMANDS[args[0]!]!({ out: (t) => out.push(t), err: (t) => err.push(t), write: (t) => out.push(t) });
  const code = await runCommand(cmd, [...args.slice(1), '--config', file]);
  return { out: out.join('\n'), err: err.join('\n'), code };
}

type Entry = { seq: number; at: string; actor: string; source: string; action: string; target: string | null; detail: Record<string, unknown> | null };
const auditJson = async (...flags: string[]): Promise<Entry[]> => {
  const r = await cli('audit', '--json', ...flags);
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as Entry[];
};

test('admin API actions are recorded with the master key by hash prefix and the client address', async () => {
  const created = await admin('POST', '/admin/keys', { name: 'svc', team: 'ml', budget: '10/month' });
  expect(created.status).toBe(201);
  plaintext.push(created.body.key);
  const id = created.body.record.id as string;
  expect((await admin('PATCH', `/admin/keys/${id}`, { budget_alerts: [80, 100], rpm: 60 })).status).toBe(200);
  const rotated = await admin('POST', `/admin/keys/${id}/rotate`, { grace: '1h' });
  expect(rotated.status).toBe(201);
  plaintext.push(rotated.body.key);
  expect((await admin('POST', `/admin/keys/${rotated.body.record.id}/revoke`)).status).toBe(200);
  expect((await admin('POST', '/admin/teams', { id: 'finance' })).status).toBe(201);
  expect((await admin('PATCH', '/admin/teams/finance', { budget: '100/month' })).status).toBe(200);
  expect((await admin('DELETE', '/admin/teams/finance')).status).toBe(200);
  expect((await admin('POST', '/admin/users', { id: 'ada', name: 'Ada' })).status).toBe(201);
  // A refused change is not an action.
  expect((await admin('PATCH', `/admin/keys/${id}`, { rpm: -1 })).status).toBe(400);

  const entries = await auditJson();
  expect(entries.map((e) => [e.action, e.target])).toEqual([
    ['key.create', id],
    ['key.update', id],
    ['key.rotate', id],
    ['key.revoke', rotated.body.record.id],
    ['team.create', 'finance'],
    ['team.update', 'finance'],
    ['team.delete', 'finance'],
    ['user.create', 'ada'],
  ]);
  for (const e of entries) {
    expect(e.actor).toBe(`master:${sha256Hex(MASTER).slice(0, 12)}`);
    expect(e.source).toBe('127.0.0.1');
    expect(Math.abs(Date.parse(e.at) - Date.now())).toBeLessThan(60_000);
  }
  expect(entries[1]!.detail).toEqual({ prefix: created.body.record.prefix, fields: ['budget_alerts', 'rpm'] });
  expect(entries[2]!.detail).toMatchObject({ new_key_id: rotated.body.record.id, grace_ms: 3_600_000 });
  // The same log over the admin API.
  const api = await admin('GET', '/admin/audit?since=1h');
  expect(api.body.data.map((e: Entry) => e.action)).toEqual(entries.map((e) => e.action));
});

test('CLI management commands are recorded as the cli; the table names who, what and from where', async () => {
  const r = await cli('keys', 'create', '--name', 'from-cli', '--budget-alerts', '90');
  expect(r.code).toBe(0);
  plaintext.push(/key:\s+(tg-\S+)/.exec(r.out)![1]!);
  expect((await cli('teams', 'create', 'ops', '--budget', '5/day', '--budget-alerts', '50,100')).code).toBe(0);
  expect((await cli('keys', 'revoke', 'from-cli')).code).toBe(0);
  // A failed command records nothing.
  expect((await cli('teams', 'create', 'ops')).code).toBe(1);
  const entries = (await auditJson()).filter((e) => e.actor === 'cli');
  expect(entries.map((e) => [e.action, e.source])).toEqual([
    ['key.create', 'cli'],
    ['team.create', 'cli'],
    ['key.revoke', 'cli'],
  ]);
  const table = await cli('audit');
  expect(table.out.split('\n')[0]).toMatch(/^AT\s+ACTOR\s+FROM\s+ACTION\s+TARGET\s+DETAIL/);
  expect(table.out).toContain('team.create');
  // --since: a date after every entry shows none; a bad value is a usage error.
  expect(await auditJson('--since', new Date(Date.now() + 60_000).toISOString())).toEqual([]);
  const bad = await cli('audit', '--since', 'yesterday-ish');
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('--since');
});

test('a config reload is recorded with its revision', async () => {
  const before = (await auditJson()).length;
  writeFileSync(file + '.tmp', cfg('second'));
  renameSync(file + '.tmp', file);
  let reloads: Entry[] = [];
  for (let i = 0; i < 100 && !reloads.length; i++) {
    await Bun.sleep(50);
    reloads = (await auditJson()).slice(before).filter((e) => e.action === 'config.reload');
  }
  expect(reloads.length).toBe(1);
  expect(reloads[0]!.actor).toBe('gateway');
  expect(reloads[0]!.target).toBe(file);
  expect(String(reloads[0]!.detail!.revision)).toMatch(/^cfg_[0-9a-f]{12}$/);
});

test('the log is append-only and holds no key material', async () => {
  await expect(store.client.execute("UPDATE audit_log SET actor = 'someone else'")).rejects.toThrow('audit_log is append-only');
  await expect(store.client.execute('DELETE FROM audit_log')).rejects.toThrow('audit_log is append-only');
  const dump = JSON.stringify((await store.client.execute('SELECT * FROM audit_log')).rows);
  expect(dump.length).toBeGreaterThan(100);
  expect(dump).not.toContain(MASTER);
  for (const k of plaintext) {
    expect(dump).not.toContain(k);
    expect(dump).not.toContain(sha256Hex(k));
  }
  expect(readFileSync(file, 'utf8')).toContain('second');
});

test('a policy reload (the policy directory edited) is recorded with the new and previous revision', async () => {
  const pdir = mkdtempSync(join(tmpdir(), 'tollgate-audit-policy-'));
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(pdir, 'policies/gateway'), { recursive: true });
  const rego = (reason: string) => `package gateway\n\ndecision := {"allowed": true, "reasons": ["${reason}"]}\n`;
  writeFileSync(join(pdir, 'policies/gateway/decision.rego'), rego('v1'));
  writeFileSync(join(pdir, 'policies/gateway/decision_test.rego'), 'package gateway\n\ntest_allowed if decision.allowed\n');
  const pfile = join(pdir, 'gateway.config.yaml');
  const pdb = `file:${join(pdir, 'gw.db')}`;
  writeFileSync(pfile, `server: { host: 127.0.0.1, port: 0, allow_anonymous: true }\ndatabase: { url: "${pdb}" }\npolicy: { enabled: true, dir: ./policies, watch: true }\nproviders:\n  mock: { type: mock }\nmodels:\n  m: { provider: mock, model: mock/ok }\n`);
  const pgw = await startGateway({ source: configSource(pfile), signals: false, quiet: true, logger: silentLogger });
  const pstore = await openStore({ url: pdb });
  try {
    writeFileSync(join(pdir, 'policies/gateway/decision.rego'), rego('v2'));
    let rows: Record<string, unknown>[] = [];
    for (let i = 0; i < 600 && !rows.length; i++) {
      await Bun.sleep(50);
      rows = (await pstore.client.execute("SELECT actor, source, action, target, detail FROM audit_log WHERE action = 'policy.reload'")).rows as unknown as Record<string, unknown>[];
    }
    expect(rows.length).toBe(1);
    const detail = JSON.parse(String(rows[0]!.detail)) as { revision: string; previous: string };
    expect(rows[0]!.actor).toBe('gateway');
    expect(String(rows[0]!.source)).not.toBe('starting');
    expect(detail.revision).not.toBe(detail.previous);
    expect(detail.revision.length).toBeGreaterThan(8);
  } finally {
    await pgw.stop();
    pstore.close();
    rmSync(pdir, { recursive: true, force: true });
  }
}, 60_000);
