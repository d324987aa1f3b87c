import { afterAll, beforeAll, expect, test } from 'bun:test';
import { adminTestApp, MASTER, withMasterKey, type ErrorJson } from '../../../../test/support/admin-app.ts';
import type { TeamView } from './views.ts';

let restore = () => {};
beforeAll(() => (restore = withMasterKey(MASTER)));
afterAll(() => restore());

test('create, list, show and patch a team', async () => {
  const { call } = await adminTestApp();
  const r = await call('POST', '/admin/teams', { id: 'ml', name: 'Machine learning', budget: '500/month', rpm: 600, models: ['gpt-4o*'] });
  expect(r.status).toBe(201);
  expect((await r.json()) as TeamView).toMatchObject({ id: 'ml', name: 'Machine learning', budget: { micros: 500_000_000, period: 'month' }, rpm: 600, tpm: null, models: ['gpt-4o*'] });

  const patched = await call('PATCH', '/admin/teams/ml', { budget: { usd: 750, period: 'month' }, rpm: null, tpm: 50000, models: null });
  expect(patched.status).toBe(200);
  expect((await patched.json()) as TeamView).toMatchObject({ id: 'ml', name: 'Machine learning', budget: { micros: 750_000_000 }, rpm: null, tpm: 50000, models: null });

  await call('POST', '/admin/teams', { id: 'ops' });
  const list = (await (await call('GET', '/admin/teams')).json()) as { data: TeamView[] };
  expect(list.data.map((t) => t.id)).toEqual(['ml', 'ops']);
  expect(((await (await call('GET', '/admin/teams/ops')).json()) as TeamView).name).toBe('ops');
});

test('a key for a new team creates the team', async () => {
  const { call } = await adminTestApp();
  await call('POST', '/admin/keys', { name: 'k', team: 'research' });
  expect(((await (await call('GET', '/admin/teams/research')).json()) as TeamView).id).toBe('research');
});

test('duplicates are 409, unknown teams 404, bad input 400 naming the field', async () => {
  const { call } = await adminTestApp();
  await call('POST', '/admin/teams', { id: 'ml' });
  const dup = await call('POST', '/admin/teams', { id: 'ml' });
  expect(dup.status).toBe(409);
  expect(((await dup.json()) as ErrorJson).error.param).toBe('id');
  expect((await call('PATCH', '/admin/teams/nope', { rpm: 5 })).status).toBe(404);
  const cases: [string, string, unknown, string][] = [
    ['POST', '/admin/teams', { id: '-bad' }, 'id'],
    ['POST', '/admin/teams', { id: 'x', budget: 'lots' }, 'budget'],
    ['PATCH', '/admin/teams/ml', { rpm: -5 }, 'rpm'],
    ['PATCH', '/admin/teams/ml', { models: 'gpt-4o' }, 'models'],
    ['PATCH', '/admin/teams/ml', { colour: 'red' }, 'colour'],
  ];
  for (const [method, path, body, param] of cases) {
    const r = await call(method, path, body);
    expect({ status: r.status, param: ((await r.json()) as ErrorJson).error.param }).toEqual({ status: 400, param });
  }
  const empty = await call('PATCH', '/admin/teams/ml', {});
  expect(empty.status).toBe(400);
  expect(((await empty.json()) as ErrorJson).error.message).toContain('at least one');
});
