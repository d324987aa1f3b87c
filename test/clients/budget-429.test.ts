import { afterAll, beforeAll, expect, test } from 'bun:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gateway } from '../../src/server/start.ts';
import { openStore, type Store } from '../../src/store/client.ts';
import { createKey } from '../../src/store/keys.ts';
import { migrate } from '../../src/store/migrate.ts';
import { startTestGateway } from '../helpers/gateway.ts';

// Finding 11: an exhausted budget makes the official SDKs, at their default settings, raise at once.
let gw: Gateway;
let store: Store;
let key: string;

beforeAll(async () => {
  const url = `file:${join(mkdtempSync(join(tmpdir(), 'tg-budget-429-')), 'db')}`;
  store = await openStore({ url });
  await migrate(store.client);
  // One micro-dollar a day: every request is over it.
  key = (await createKey(store, { name: 'broke', budget: { micros: 1, period: 'day' } })).key;
  gw = await startTestGateway({
    server: { host: '127.0.0.1', port: 0, allow_anonymous: false },
    database: { url },
    providers: { mock: { type: 'mock' } },
    models: { m: { provider: 'mock', model: 'mock/ok' } },
    prices: { 'mock/ok': { input: 1, output: 1 } },
  });
});
afterAll(async () => {
  await gw.stop();
  store.close();
});

test('the openai SDK raises RateLimitError promptly, told not to retry, with the budget and its reset in the message', async () => {
  const t0 = performance.now();
  const err = await new OpenAI({ baseURL: gw.url + '/v1', apiKey: key }).chat.completions.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
  const ms = performance.now() - t0;
  console.log(`openai SDK raised after ${ms.toFixed(0)} ms`);
  expect(err).toBeInstanceOf(OpenAI.RateLimitError);
  const e = err as InstanceType<typeof OpenAI.RateLimitError>;
  expect(ms).toBeLessThan(1000);
  expect(e.headers.get('x-should-retry')).toBe('false');
  expect(e.headers.get('retry-after')).toBeNull();
  expect(e.message).toContain("daily budget of key '");
  expect(e.message).toContain('$0.000000 spent');
  expect(e.message).toMatch(/resets at \d{4}-\d{2}-\d{2}T00:00:00.000Z/);
  expect(e.message).not.toContain('dayly');
});

test('the Anthropic SDK raises RateLimitError promptly too', async () => {
  const t0 = performance.now();
  const err = await new Anthropic({ baseURL: gw.url, apiKey: key }).messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
  const ms = performance.now() - t0;
  console.log(`anthropic SDK raised after ${ms.toFixed(0)} ms`);
  expect(err).toBeInstanceOf(Anthropic.RateLimitError);
  expect(ms).toBeLessThan(1000);
  expect((err as Error).message).toContain('daily budget');
});
