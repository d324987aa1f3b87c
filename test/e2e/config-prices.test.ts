import { expect, test } from 'bun:test';
import { parseConfig, ConfigError, formatProblem } from '../../src/config/load.ts';
import { buildRuntime, runtimeHolder } from '../../src/config/runtime.ts';
import { upstreamPrices } from '../../src/config/prices.ts';
import { createApp } from '../../src/server/app.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { UsageRecord } from '../../src/store/usage-record.ts';

const config = (prices: string) =>
  parseConfig(
    `server: { allow_anonymous: true }
providers: { mock: { type: mock }, local: { type: openai-compatible, base_url: http://127.0.0.1:9/v1 } }
models:
  mock: { provider: mock, model: mock/ok, aliases: [echo] }
  llama: { provider: local, model: llama3.2:3b }
prices:
${prices}`,
    'prices.yaml',
    {},
  ).config;

test('a public name or alias prices its upstream id; an upstream id is taken as is', () => {
  const { prices } = upstreamPrices(config('  mock: { input: 1, output: 2 }\n  llama3.2:3b: { input: 0, output: 0 }\n  gpt-4o: { input: 2.25, output: 9 }'));
  expect(Object.keys(prices).sort()).toEqual(['gpt-4o', 'llama3.2:3b', 'mock/ok']);
  expect(upstreamPrices(config('  echo: { input: 1, output: 2 }')).prices).toEqual({ 'mock/ok': { input: 1, output: 2 } });
});

test('the price book finds a price given under the public name', () => {
  const rt = buildRuntime(config('  llama: { input: 0.5, output: 1 }'));
  expect(rt.prices.lookup('openai-compatible', 'llama3.2:3b')?.micros_per_mtok.input).toBe(500_000);
});

test('two keys for the same upstream model are a config error naming both', () => {
  let err: unknown;
  try {
    config('  mock/ok: { input: 1, output: 2 }\n  mock: { input: 3, output: 4 }');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems.map(formatProblem)).toEqual(["prices.yaml:8:9: prices.mock: prices upstream model 'mock/ok', which prices.mock/ok already prices (keep one of the two)"]);
});

test('a request for the public name is billed at the price set under that name', async () => {
  const records: UsageRecord[] = [];
  const app = createApp({ runtime: runtimeHolder(buildRuntime(config('  mock: { input: 1000, output: 1000 }'))), logger: silentLogger, onUsage: (r) => records.push(r) });
  const r = await app.request('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: 'price me' }] }) });
  expect(r.status).toBe(200);
  const row = records[0]!;
  expect(row.usage.input_tokens + row.usage.output_tokens).toBeGreaterThan(0);
  // USD 1000 per 1M tokens = 1000 µ$ per token.
  expect(row.cost_micros).toBe(1000 * (row.usage.input_tokens + row.usage.output_tokens));
});
