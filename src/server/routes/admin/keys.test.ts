import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { adminTestApp, MASTER, withMasterKey, type ErrorJson } from '../../../../test/support/admin-app.ts';
import type { KeyView } from './views.ts';

interface Created {
  key: string;
  record: KeyView;
  previous?: KeyView;
}

let restore = () => {};
beforeAll(() => (restore = withMasterKey(MASTER)));
afterAll(() => restore());

describe('POST /admin/keys', () => {
  test('returns the key once with its record; the record has a prefix and no hash', async () => {
    const { call } = await adminTestApp();
    const r = await call('POST', '/admin/keys', {
      name: 'ci',
      team: 'ml',
      user: 'ana',
      tags: ['batch'],
      models: ['gpt-4o*'],
      budget: '50/month',
      rpm: 60,
      tpm: 100000,
      expires: '30d',
      metadata: { owner: 'ana' },
    });
    expect(r.status).toBe(201);
    const { key, record } = (await r.json()) as Created;
    expect(key).toMatch(/^tg-[A-Za-z0-9]{40}$/);
    expect(record).toMatchObject({ name: 'ci', team: 'ml', user: 'ana', tags: ['batch'], models: ['gpt-4o*'], rpm: 60, tpm: 100000, status: 'active', prefix: key.slice(0, 10) });
    expect(record.budget).toEqual({ usd: 50, micros: 50_000_000, period: 'month' });
    expect(Date.parse(record.expires_at!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(JSON.stringify(record)).not.toContain(key);
    expect(Object.keys(record)).not.toContain('hash');
  });

  test('a budget may be an object', async () => {
    const { call } = await adminTestApp();
    const r = await call('POST', '/admin/keys', { name: 'x', budget: { usd: 12.5, period: 'day' } });
    expect(((await r.json()) as Created).record.budget).toEqual({ usd: 12.5, micros: 12_500_000, period: 'day' });
  });

  test('malformed input → 400 naming the field', async () => {
    const { call } = await adminTestApp();
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: 'x', budget: '50/mnth' }, 'budget'],
      [{ name: 'x', budget: { usd: -1, period: 'month' } }, 'budget'],
      [{ name: 'x', budget: { usd: 5, period: 'year' } }, 'budget'],
      [{ name: 'x', rpm: 0 }, 'rpm'],
      [{ name: 'x', tpm: 1.5 }, 'tpm'],
      [{ name: 'x', expires: '3x' }, 'expires'],
      [{ name: 'x', expires: '2001-01-01' }, 'expires'],
      [{ name: 'x', models: [] }, 'models'],
      [{ name: 'x', tags: ['ok', 3] }, 'tags[1]'],
      [{ name: 'x', team: 'has space' }, 'team'],
      [{ name: 'x', budgt: '5/day' }, 'budgt'],
    ];
    for (const [body, param] of cases) {
      const r = await call('POST', '/admin/keys', body);
      expect(r.status).toBe(400);
      const j = (await r.json()) as ErrorJson;
      expect({ param: j.error.param, type: j.error.type }).toEqual({ param, type: 'invalid_request_error' });
      expect(j.error.message).toContain(`'${param}'`);
    }
    const r = await call('POST', '/admin/keys', '{"name": ');
    expect(r.status).toBe(400);
    expect(((await r.json()) as ErrorJson).error.message).toContain('not valid JSON');
  });
});

describe('list, show, revoke, rotate', () => {
  test('the plaintext key appears only in the create response', async () => {
    const { call, logs } = await adminTestApp();
    const { key, record } = (await (await call('POST', '/admin/keys', { name: 'ci', team: 'ml' })).json()) as Created;
    const list = await (await call('GET', '/admin/keys')).text();
    const one = await (await call('GET', `/admin/keys/${record.id}`)).text();
    const byPrefix = (await (await call('GET', `/admin/keys/${record.prefix}`)).json()) as KeyView;
    expect(byPrefix.id).toBe(record.id);
    for (const text of [list, one, logs.join('\n')]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(MASTER);
    }
    expect(list).toContain(record.prefix);
  });

  test('list filters by team and hides revoked keys unless asked', async () => {
    const { call } = await adminTestApp();
    const a = (await (await call('POST', '/admin/keys', { name: 'a', team: 'ml' })).json()) as Created;
    await call('POST', '/admin/keys', { name: 'b', team: 'ops' });
    const revoked = (await (await call('POST', `/admin/keys/${a.record.id}/revoke`)).json()) as KeyView;
    expect(revoked.status).toBe('revoked');
    expect(revoked.revoked_at).not.toBeNull();
    const names = async (q: string) => ((await (await call('GET', `/admin/keys${q}`)).json()) as { data: KeyView[] }).data.map((k) => k.name).sort();
    expect(await names('')).toEqual(['b']);
    expect(await names('?include_revoked=true')).toEqual(['a', 'b']);
    expect(await names('?team=ml&include_revoked=1')).toEqual(['a']);
    const bad = await call('GET', '/admin/keys?include_revoked=maybe');
    expect(((await bad.json()) as ErrorJson).error.param).toBe('include_revoked');
    const unknown = await call('GET', '/admin/keys?teem=ml');
    expect(((await unknown.json()) as ErrorJson).error.param).toBe('teem');
  });

  test('revoking twice keeps the first revocation time', async () => {
    const { call } = await adminTestApp();
    const { record } = (await (await call('POST', '/admin/keys', { name: 'a' })).json()) as Created;
    const first = (await (await call('POST', `/admin/keys/${record.id}/revoke`)).json()) as KeyView;
    await Bun.sleep(5);
    const second = (await (await call('POST', `/admin/keys/${record.id}/revoke`)).json()) as KeyView;
    expect(second.revoked_at).toBe(first.revoked_at);
  });

  test('rotate returns a new key once; the old one is rotating until the grace ends', async () => {
    const { call } = await adminTestApp();
    const created = (await (await call('POST', '/admin/keys', { name: 'r', team: 'ml', user: 'ana', budget: '5/day' })).json()) as Created;
    const r = await call('POST', `/admin/keys/${created.record.id}/rotate`, { grace: '1h' });
    expect(r.status).toBe(201);
    const rotated = (await r.json()) as Created;
    expect(rotated.key).not.toBe(created.key);
    expect(rotated.record).toMatchObject({ name: 'r', team: 'ml', user: 'ana', status: 'active', budget: { micros: 5_000_000, period: 'day' } });
    expect(rotated.previous).toMatchObject({ id: created.record.id, status: 'rotating', rotated_to: rotated.record.id });
    expect(Math.abs(Date.parse(rotated.previous!.expires_at!) - Date.now() - 3_600_000)).toBeLessThan(5_000);
    const list = await (await call('GET', '/admin/keys')).text();
    expect(list).not.toContain(rotated.key);
  });

  test('rotate without a body uses a 24h grace; a bad grace names the field', async () => {
    const { call } = await adminTestApp();
    const { record } = (await (await call('POST', '/admin/keys', { name: 'r' })).json()) as Created;
    const rotated = (await (await call('POST', `/admin/keys/${record.id}/rotate`)).json()) as Created;
    expect(Math.abs(Date.parse(rotated.previous!.expires_at!) - Date.now() - 86_400_000)).toBeLessThan(5_000);
    const bad = await call('POST', `/admin/keys/${rotated.record.id}/rotate`, { grace: 'soon' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorJson).error.param).toBe('grace');
  });

  test('a revoked key cannot be rotated; unknown keys are 404 key_not_found', async () => {
    const { call } = await adminTestApp();
    const { key, record } = (await (await call('POST', '/admin/keys', { name: 'r' })).json()) as Created;
    await call('POST', `/admin/keys/${record.id}/revoke`);
    expect((await call('POST', `/admin/keys/${record.id}/rotate`, {})).status).toBe(400);
    const missing = await call('GET', '/admin/keys/key_nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorJson).error.code).toBe('key_not_found');
    // A whole key may name the key to act on; it is matched by hash and never echoed.
    const leaked = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
    const r = await call('GET', `/admin/keys/${leaked}`);
    expect(r.status).toBe(404);
    expect(await r.text()).not.toContain(leaked);
    expect(((await (await call('GET', `/admin/keys/${key}`)).json()) as KeyView).id).toBe(record.id);
  });
});
