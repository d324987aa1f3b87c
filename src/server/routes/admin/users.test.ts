import { afterAll, beforeAll, expect, test } from 'bun:test';
import { adminTestApp, MASTER, withMasterKey, type ErrorJson } from '../../../../test/support/admin-app.ts';
import { usage } from '../../../store/schema.ts';
import { usageFor } from './ops.ts';
import { usageQuery } from './schemas.ts';
import type { KeyView, TeamView, UserView } from './views.ts';

let restore = () => {};
beforeAll(() => (restore = withMasterKey(MASTER)));
afterAll(() => restore());

test('users: create, list by team, show, update (null clears), delete', async () => {
  const { call } = await adminTestApp();
  const r = await call('POST', '/admin/users', { id: 'ana', name: 'Ana', email: 'ana@example.com', team: 'ml' });
  expect(r.status).toBe(201);
  expect((await r.json()) as UserView).toMatchObject({ id: 'ana', name: 'Ana', email: 'ana@example.com', team: 'ml' });
  expect(((await (await call('GET', '/admin/teams/ml')).json()) as TeamView).id).toBe('ml');
  expect((await call('POST', '/admin/users', { id: 'ana' })).status).toBe(409);
  await call('POST', '/admin/users', { id: 'bo' });
  const inMl = (await (await call('GET', '/admin/users?team=ml')).json()) as { data: UserView[] };
  expect(inMl.data.map((u) => u.id)).toEqual(['ana']);
  const patched = await call('PATCH', '/admin/users/ana', { email: null, team: null });
  expect((await patched.json()) as UserView).toMatchObject({ id: 'ana', email: null, team: null });
  const bad = await call('POST', '/admin/users', { id: 'x', email: 'not-an-email' });
  expect({ status: bad.status, param: ((await bad.json()) as ErrorJson).error.param }).toEqual({ status: 400, param: 'email' });
  expect((await call('DELETE', '/admin/users/bo')).status).toBe(200);
  expect((await call('GET', '/admin/users/bo')).status).toBe(404);
});

test('deleting a team or user with live keys is refused unless force, which revokes them', async () => {
  const { call } = await adminTestApp();
  const key = (await (await call('POST', '/admin/keys', { name: 'k', team: 'ml', user: 'ana' })).json()) as { record: KeyView };
  const refused = await call('DELETE', '/admin/teams/ml');
  expect(refused.status).toBe(409);
  const err = ((await refused.json()) as ErrorJson).error;
  expect(err.code).toBe('team_has_keys');
  expect(err.message).toContain(key.record.id);
  expect(err.message).toContain('?force=true');
  expect((await call('DELETE', '/admin/users/ana')).status).toBe(409);

  const forced = await call('DELETE', '/admin/teams/ml?force=true');
  expect(forced.status).toBe(200);
  expect((await forced.json()) as { revoked_keys: string[] }).toMatchObject({ id: 'ml', deleted: true, revoked_keys: [key.record.id] });
  expect((await call('GET', '/admin/teams/ml')).status).toBe(404);
  expect(((await (await call('GET', `/admin/keys/${key.record.id}`)).json()) as KeyView).status).toBe('revoked');
  // Its keys are revoked now, so the user goes without force.
  expect((await call('DELETE', '/admin/users/ana')).status).toBe(200);
});

test('PATCH a key by name: limits change, none clears, a revoked key is refused', async () => {
  const { call } = await adminTestApp();
  await call('POST', '/admin/keys', { name: 'ci', rpm: 60, budget: '5/day' });
  const r = await call('PATCH', '/admin/keys/ci', { rpm: 120, tpm: 1000, budget: null, models: ['gpt-4o*'], expires: '30d' });
  expect(r.status).toBe(200);
  const view = (await r.json()) as KeyView;
  expect(view).toMatchObject({ name: 'ci', rpm: 120, tpm: 1000, budget: null, models: ['gpt-4o*'] });
  expect(Date.parse(view.expires_at!)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  expect((await call('PATCH', '/admin/keys/ci', {})).status).toBe(400);
  await call('POST', `/admin/keys/${view.id}/revoke`);
  const revoked = await call('PATCH', `/admin/keys/${view.id}`, { rpm: 5 });
  expect(revoked.status).toBe(400);
  expect(((await revoked.json()) as ErrorJson).error.code).toBe('key_revoked');
});

test('a second live key with the same name is refused; after a rotation the name means the new key', async () => {
  const { call } = await adminTestApp();
  const first = (await (await call('POST', '/admin/keys', { name: 'ci' })).json()) as { record: KeyView };
  const dup = await call('POST', '/admin/keys', { name: 'ci' });
  expect(dup.status).toBe(409);
  expect(((await dup.json()) as ErrorJson).error).toMatchObject({ param: 'name', code: 'key_exists' });
  const rotated = (await (await call('POST', '/admin/keys/ci/rotate', { grace: '1h' })).json()) as { record: KeyView };
  expect(rotated.record.id).not.toBe(first.record.id);
  expect(((await (await call('GET', '/admin/keys/ci')).json()) as KeyView).id).toBe(rotated.record.id);
  await call('POST', '/admin/keys/ci/revoke');
  await call('POST', `/admin/keys/${first.record.id}/revoke`);
  expect((await call('POST', '/admin/keys', { name: 'ci' })).status).toBe(201);
});

test('usage for a key from the config file, by its name', async () => {
  const { store } = await adminTestApp();
  const hash = 'ab'.repeat(32);
  await store!.db.insert(usage).values({ requestId: 'r1', createdAt: Date.now() - 1000, endpoint: '/v1/chat/completions', keyName: 'cfg', keyHash: hash, requestedModel: 'chat', status: 200, outcome: 'ok', costMicros: 42 });
  const report = await usageFor(store!, usageQuery.parse({ key: 'cfg', by: '' }), [{ name: 'cfg', hash: `sha256:${hash}` }]);
  expect(report.totals).toMatchObject({ requests: 1, cost_micros: 42 });
  await expect(usageFor(store!, usageQuery.parse({ key: 'nope' }), [])).rejects.toThrow("No key 'nope'.");
});
