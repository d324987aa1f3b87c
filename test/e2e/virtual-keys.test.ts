import { afterAll, beforeAll, expect, test } from 'bun:test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../../src/server/start.ts';
import { openStore, type Store } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createKey, revokeKey, rotateKey } from '../../src/store/keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-keys-'));
const url = `file:${join(dir, 'db.sqlite')}`;
let gw: Gateway;
let store: Store;

beforeAll(async () => {
  store = await openStore({ url });
  await migrate(store.client);
  gw = await startTestGateway({
    server: { host: '127.0.0.1', port: 0, allow_anonymous: false },
    database: { url },
    providers: { mock: { type: 'mock' } },
    models: { chat: { provider: 'mock', model: 'mock/ok' } },
  });
});
afterAll(async () => {
  await gw.stop();
  store.close();
});

const ask = (key: string) => new OpenAI({ baseURL: gw.url + '/v1', apiKey: key, maxRetries: 0 }).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });

async function refusedWithin(key: string, ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    const err = await ask(key).then(() => undefined, (e) => e);
    if (err instanceof OpenAI.AuthenticationError) return Date.now() - start;
    await Bun.sleep(50);
  }
  return Infinity;
}

test('a database key works through both SDKs and unknown keys get 401', async () => {
  const { key } = await createKey(store, { name: 'ci', team: 'ml' });
  expect((await ask(key)).choices[0]!.message.content).toContain('Mock reply');
  const claude = new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 });
  const m = await claude.messages.create({ model: 'chat', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
  expect(m.content[0]!.type).toBe('text');
  const err = await ask('tg-not-a-real-key-000000000000').catch((e) => e);
  expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
  expect(JSON.stringify(err.error)).not.toContain('tg-not-a-real-key');
});

test('a revoked key is refused within 1 s', async () => {
  const { key, row } = await createKey(store, { name: 'to-revoke' });
  await ask(key); // cached as valid
  await revokeKey(store, row.id);
  expect(await refusedWithin(key, 1500)).toBeLessThanOrEqual(1000);
});

test('an expired key is refused', async () => {
  const { key } = await createKey(store, { name: 'old', expiresAt: Date.now() - 1 });
  const err = await ask(key).catch((e) => e);
  expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
  expect(err.message).toContain('expired');
});

test('rotation: the new key works at once and the old one until its grace period ends', async () => {
  const { key: oldKey, row } = await createKey(store, { name: 'rotating' });
  await ask(oldKey);
  const rotated = await rotateKey(store, row.id, 600);
  expect((await ask(rotated.key)).choices.length).toBe(1);
  expect((await ask(oldKey)).choices.length).toBe(1);
  expect(await refusedWithin(oldKey, 2500)).toBeLessThan(Infinity);
});

test('only the hash of a key is stored', async () => {
  const { key } = await createKey(store, { name: 'secret-check' });
  await ask(key);
  const dump = await store.client.execute('SELECT * FROM virtual_keys');
  expect(JSON.stringify(dump.rows)).not.toContain(key);
  expect(JSON.stringify(dump.rows)).toContain(key.slice(0, 10));
});
