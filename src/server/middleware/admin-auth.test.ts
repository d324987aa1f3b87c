import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { adminTestApp, MASTER, withMasterKey, type ErrorJson } from '../../../test/support/admin-app.ts';

describe('admin auth', () => {
  let restore = () => {};
  beforeAll(() => (restore = withMasterKey(MASTER)));
  afterAll(() => restore());

  test('no Authorization → 401 in the OpenAI error schema', async () => {
    const { call } = await adminTestApp();
    const r = await call('GET', '/admin/keys', undefined, null);
    expect(r.status).toBe(401);
    const j = (await r.json()) as ErrorJson;
    expect(j.error.type).toBe('authentication_error');
    expect(j.error.code).toBe('invalid_master_key');
  });

  test('a wrong master key → 401, and neither key is echoed or logged', async () => {
    const { call, logs } = await adminTestApp();
    const wrong = MASTER + 'x';
    const r = await call('GET', '/admin/keys', undefined, wrong);
    expect(r.status).toBe(401);
    const text = await r.text();
    for (const secret of [wrong, MASTER]) {
      expect(text).not.toContain(secret);
      expect(logs.join('\n')).not.toContain(secret);
    }
    expect(logs.join('\n')).toContain('admin request refused');
  });

  test('x-api-key or a bare token is not accepted', async () => {
    const { app } = await adminTestApp();
    expect((await app.request('/admin/keys', { headers: { 'x-api-key': MASTER } })).status).toBe(401);
    expect((await app.request('/admin/keys', { headers: { authorization: MASTER } })).status).toBe(401);
  });

  test('unknown admin paths need the master key before they 404', async () => {
    const { call } = await adminTestApp();
    expect((await call('GET', '/admin/nope', undefined, null)).status).toBe(401);
    expect((await call('GET', '/admin/nope')).status).toBe(404);
    expect((await call('GET', '/admin')).status).toBe(404);
  });

  test('the right master key passes and answers are not cacheable', async () => {
    const { call } = await adminTestApp();
    const r = await call('GET', '/admin/keys');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  test('without a database the admin API answers 503', async () => {
    const { call } = await adminTestApp({ withStore: false });
    expect((await call('GET', '/admin/keys')).status).toBe(503);
  });
});

describe('admin API disabled', () => {
  test('with TOLLGATE_MASTER_KEY unset every /admin request gets 401 saying so', async () => {
    const restore = withMasterKey(undefined);
    try {
      const { call } = await adminTestApp();
      for (const token of [null, MASTER, '']) {
        const r = await call('GET', '/admin/keys', undefined, token);
        expect(r.status).toBe(401);
        expect(((await r.json()) as ErrorJson).error.message).toContain('admin API is disabled');
      }
      expect((await call('POST', '/admin/keys', { name: 'x' })).status).toBe(401);
    } finally {
      restore();
    }
  });

  test('an empty TOLLGATE_MASTER_KEY also disables it', async () => {
    const restore = withMasterKey('');
    try {
      const { call } = await adminTestApp();
      const r = await call('GET', '/admin/keys', undefined, '');
      expect(r.status).toBe(401);
      expect(((await r.json()) as ErrorJson).error.code).toBe('admin_disabled');
    } finally {
      restore();
    }
  });
});
