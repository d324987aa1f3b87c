import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startTestGateway } from '../helpers/gateway.ts';
import { sha256Hex } from '../../src/lib/hash.ts';
import type { Gateway } from '../../src/server/start.ts';

// Issue 11, item 4a: /readyz tells anyone ready or not; provider names, health and in-flight
// counts (where traffic goes, which upstream is failing) only to key holders.
let gw: Gateway;
beforeAll(async () => {
  gw = await startTestGateway({
    server: { host: '127.0.0.1', port: 0, allow_anonymous: false },
    keys: [{ name: 'plain', hash: sha256Hex('tg-plain') }],
    providers: { anthropic: { type: 'mock' }, openai: { type: 'mock' } },
    models: { m: { provider: 'anthropic', model: 'mock/ok' } },
  });
});
afterAll(() => gw.stop());

test('/readyz: ready or not for anyone; provider names and health only with a valid key or the master key', async () => {
  const anon = await fetch(gw.url + '/readyz');
  expect(anon.status).toBe(200);
  expect(await anon.json()).toEqual({ status: 'ready' });
  const wrong = await fetch(gw.url + '/readyz', { headers: { authorization: 'Bearer tg-nobody' } });
  expect(await wrong.json()).toEqual({ status: 'ready' });
  const withKey = (await (await fetch(gw.url + '/readyz', { headers: { 'x-api-key': 'tg-plain' } })).json()) as Record<string, unknown>;
  expect(withKey).toMatchObject({ status: 'ready', providers: ['anthropic', 'openai'] });
  expect(withKey.health).toBeDefined();
  process.env.TOLLGATE_MASTER_KEY = 'master-for-readyz';
  try {
    const master = (await (await fetch(gw.url + '/readyz', { headers: { authorization: 'Bearer master-for-readyz' } })).json()) as Record<string, unknown>;
    expect(master.providers).toEqual(['anthropic', 'openai']);
  } finally {
    delete process.env.TOLLGATE_MASTER_KEY;
  }
});
