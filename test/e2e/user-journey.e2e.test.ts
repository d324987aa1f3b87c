import { afterAll, beforeAll, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnBinary, type Spawned } from '../helpers/spawn-binary.ts';
import { childEnv } from '../support/child-env.ts';

// The README's journey for a new user, on the compiled binary in an empty directory: create a
// key, call through the OpenAI SDK (streamed and not), and read `tollgate usage`.
const BIN = resolve(import.meta.dir, '../../dist/tollgate');
const dir = mkdtempSync(join(tmpdir(), 'tollgate-journey-'));
const env = { PATH: '/usr/bin:/bin', HOME: dir };
const cli = (args: string[]) => {
  const p = Bun.spawnSync([BIN, ...args], { cwd: dir, env: childEnv(env) });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
};
let gw: Spawned;
let key: string;

beforeAll(async () => {
  const created = cli(['keys', 'create', '--name', 'ci', '--team', 'ml', '--budget', '50/month', '--models', 'mock*', '--rpm', '600', '--expires', '30d', '--format', 'json']);
  expect(created.code).toBe(0);
  key = (JSON.parse(created.out) as { key: string }).key;
  gw = await spawnBinary(BIN, ['--port', '0'], { cwd: dir, env });
});
afterAll(() => gw?.kill());

test('calls through the SDK are billed to the micro-dollar and reported by `tollgate usage`', async () => {
  const client = new OpenAI({ baseURL: gw.url + '/v1', apiKey: key, maxRetries: 0 });
  const a = await client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'What does a gateway do?' }] });
  const stream = await client.chat.completions.create({ model: 'mock', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'And streaming?' }] });
  let streamUsage: OpenAI.CompletionUsage | undefined;
  for await (const c of stream) if (c.usage) streamUsage = c.usage;
  expect(await gw.terminate()).toBe(0); // flushes the ledger

  // gateway.config.yaml prices mock/ok at $0.15 / $0.60 per 1M tokens: 0.15 and 0.6 µ$ per token.
  const tokensIn = a.usage!.prompt_tokens + streamUsage!.prompt_tokens;
  const tokensOut = a.usage!.completion_tokens + streamUsage!.completion_tokens;
  const micros = (u: OpenAI.CompletionUsage) => Math.round(u.prompt_tokens * 0.15 + u.completion_tokens * 0.6);
  const expected = micros(a.usage!) + micros(streamUsage!);

  const report = cli(['usage', '--by', 'team,model', '--since', '1d', '--format', 'json']);
  expect(report.code).toBe(0);
  const j = JSON.parse(report.out) as { rows: Record<string, unknown>[]; totals: Record<string, unknown> };
  const row = j.rows.find((r) => r.team === 'ml')!;
  expect(Number(row.requests)).toBe(2);
  expect(Number(row.input_tokens)).toBe(tokensIn);
  expect(Number(row.output_tokens)).toBe(tokensOut);
  expect(Number(row.cost_micros ?? Math.round(Number(row.cost_usd) * 1e6))).toBe(expected);

  const table = cli(['usage', '--by', 'team', '--since', '1d']);
  expect(table.out).toContain('TOTAL');
  expect(table.out).not.toContain(key);
  const listed = cli(['keys', 'list']);
  expect(listed.out).toContain(key.slice(0, 10));
  expect(listed.out).not.toContain(key);
});
