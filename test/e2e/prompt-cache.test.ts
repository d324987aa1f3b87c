import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { startPolicyGateway } from '../helpers/gateway.ts';
import { startAnthropicUpstream } from '../mocks/anthropic-upstream.ts';
import { MOCK_CREDENTIALS, startBedrockUpstream } from '../mocks/bedrock-upstream.ts';
import { startOpenAIUpstream } from '../mocks/openai-upstream.ts';
import { startGeminiUpstream } from '../mocks/gemini-upstream.ts';
import { sha256Hex } from '../../src/lib/hash.ts';
import { sseEvents } from '../../src/lib/sse.ts';
import type { Gateway } from '../../src/server/start.ts';

// Issue 16 item 6 through the live gateway and a real Rego policy: prompt_cache: auto places
// breakpoints, the mocks cache the prompt as the providers do and report it in their own usage
// shape, the client reads it in its schema, and the ledger's cost is the price worked out by hand.
type Json = Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'tollgate-prompt-cache-'));
const KEY = 'tg-prompt-cache-key-5c1e9a';
const AKEY = 'upstream-anthropic-key-for-tests';
const anthropic = startAnthropicUpstream({ apiKey: AKEY });
const bedrock = startBedrockUpstream();
const openai = startOpenAIUpstream();
const GKEY = 'AIza-test-key';
const gemini = startGeminiUpstream({ apiKey: GKEY });
let gw: Gateway;
let db: Client;

const POLICY = `package gateway

auto_5m := {"claude", "claude-chat", "bedrock-chat", "gpt", "gemini"}
auto_1h := {"claude-1h", "bedrock-1h"}

decision := {"allowed": true, "prompt_cache": "auto"} if input.request.model in auto_5m

decision := {"allowed": true, "prompt_cache": {"mode": "auto", "ttl": "1h"}} if input.request.model in auto_1h

decision := {"allowed": true} if {
  not input.request.model in auto_5m
  not input.request.model in auto_1h
}
`;

beforeAll(async () => {
  gw = await startPolicyGateway(dir, POLICY, { name: 'ci', team: 'ml', hash: `sha256:${sha256Hex(KEY)}` }, {
    providers: {
      anthropic: { type: 'anthropic', base_url: anthropic.url, api_key: AKEY },
      bedrock: { type: 'bedrock', region: 'us-east-1', base_url: bedrock.url, access_key_id: MOCK_CREDENTIALS.accessKeyId, secret_access_key: MOCK_CREDENTIALS.secretAccessKey },
      openai: { type: 'openai', base_url: `${openai.url}/v1`, api_key: 'test-openai-key' },
      gemini: { type: 'gemini', base_url: `${gemini.url}/v1beta`, api_key: GKEY },
    },
    models: {
      claude: { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' },
      'claude-chat': { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' },
      'claude-1h': { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' },
      'claude-manual': { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' },
      'bedrock-1h': { provider: 'bedrock', model: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0' },
      'bedrock-chat': { provider: 'bedrock', model: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0' },
      gpt: { provider: 'openai', model: 'gpt-4o-mini' },
      gemini: { provider: 'gemini', model: 'gemini-2.5-flash-cache' },
    },
  });
  db = createClient({ url: `file:${join(dir, 'db.sqlite')}` });
});
afterAll(async () => {
  db?.close();
  await gw?.stop();
  anthropic.stop();
  bedrock.stop();
  openai.stop();
  gemini.stop();
});

const post = (path: string, body: unknown) =>
  fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });

interface Row {
  cost_micros: number;
  input_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
}
async function rowOf(res: Response): Promise<Row> {
  const id = res.headers.get('x-request-id')!;
  for (let i = 0; i < 200; i++) {
    const rows = (await db.execute({ sql: 'SELECT cost_micros, input_tokens, cached_input_tokens, cache_write_tokens, cache_write_1h_tokens FROM usage WHERE request_id = ?', args: [id] })).rows;
    if (rows.length) return { ...(rows[0] as unknown as Row) };
    await Bun.sleep(20);
  }
  throw new Error(`no usage row for ${id}`);
}

/** USD per 1M tokens → µ$, by hand: Σ tokens × rate, rounded once (half up). */
const price = (parts: [tokens: number, usdPerM: number][]) => Math.round(parts.reduce((n, [t, usd]) => n + t * usd * 1e6, 0) / 1e6);
// Claude Sonnet 4.5, on the Claude API and Bedrock's global profile alike.
const SONNET = { input: 3, read: 0.3, write5m: 3.75, write1h: 6, output: 15 };

async function streamed(res: Response): Promise<Json[]> {
  const out: Json[] = [];
  for await (const ev of sseEvents(res.body!)) if (typeof ev.data === 'object') out.push(ev.data as Json);
  return out;
}

/** A system prompt long enough to cache (≈ 2,500 tokens; Sonnet 4.5's minimum is 1,024), unique per test. */
const longSystem = (tag: string) => `[${tag}] ` + 'Answer as the support desk of a bookshop; cite the policy section. '.repeat(150);

describe('Anthropic Messages on Anthropic, prompt_cache: auto', () => {
  test('JSON: the first call writes the system prompt (5-minute), the second reads it; each costs its exact price', async () => {
    const body = { model: 'claude', max_tokens: 50, system: longSystem('json'), messages: [{ role: 'user', content: 'Can I return a book?' }] };
    const first = await post('/v1/messages', body);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-tollgate-prompt-cache-breakpoints')).toBe('1');
    expect((anthropic.requests.at(-1)!.body as Json).system).toEqual([{ type: 'text', text: body.system, cache_control: { type: 'ephemeral' } }]);
    const u1 = ((await first.json()) as { usage: Json }).usage as { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number; cache_creation: Json };
    const written = u1.cache_creation_input_tokens;
    expect(written).toBeGreaterThan(1024);
    expect(u1.cache_creation).toEqual({ ephemeral_5m_input_tokens: written, ephemeral_1h_input_tokens: 0 });
    const r1 = await rowOf(first);
    expect(r1).toMatchObject({ input_tokens: 11 + written, cache_write_tokens: written, cache_write_1h_tokens: 0, cached_input_tokens: 0 });
    expect(r1.cost_micros).toBe(price([[11, SONNET.input], [written, SONNET.write5m], [7, SONNET.output]]));

    const second = await post('/v1/messages', body);
    const u2 = ((await second.json()) as { usage: Json }).usage;
    expect(u2.cache_read_input_tokens).toBe(written);
    expect(u2.cache_creation_input_tokens).toBe(0);
    const r2 = await rowOf(second);
    expect(r2.cost_micros).toBe(price([[11, SONNET.input], [written, SONNET.read], [7, SONNET.output]]));
    expect(r2.cost_micros).toBeLessThan(r1.cost_micros / 3);
  });

  test('stream with ttl 1h: the write is billed at 2x input, and message_start states the 5m/1h split', async () => {
    const body = { model: 'claude-1h', max_tokens: 50, stream: true, system: longSystem('stream-1h'), messages: [{ role: 'user', content: 'Opening hours?' }] };
    const res = await post('/v1/messages', body);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tollgate-prompt-cache-breakpoints')).toBe('1');
    const events = await streamed(res);
    const start = ((events.find((e) => e.type === 'message_start')!.message as Json).usage) as { cache_creation_input_tokens: number; cache_creation: Json };
    const written = start.cache_creation_input_tokens;
    expect(start.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: written });
    const row = await rowOf(res);
    expect(row).toMatchObject({ cache_write_tokens: written, cache_write_1h_tokens: written });
    expect(row.cost_micros).toBe(price([[11, SONNET.input], [written, SONNET.write1h], [7, SONNET.output]]));
  });

  test("the client's own breakpoints (with ttl) pass byte for byte; with 4 placed Tollgate adds none", async () => {
    const hour = { type: 'ephemeral', ttl: '1h' };
    const body = {
      model: 'claude',
      max_tokens: 50,
      system: [{ type: 'text', text: longSystem('manual'), cache_control: hour }],
      tools: [{ name: 'lookup', description: 'Find a book', input_schema: { type: 'object', properties: { isbn: { type: 'string' } } }, cache_control: hour }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'First question', cache_control: { type: 'ephemeral' } }] },
        { role: 'assistant', content: 'An answer' },
        { role: 'user', content: [{ type: 'text', text: 'Second question', cache_control: { type: 'ephemeral', ttl: '5m' } }] },
      ],
    };
    const res = await post('/v1/messages', body);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tollgate-prompt-cache-breakpoints')).toBe('0');
    const sent = anthropic.requests.at(-1)!.body as Json;
    for (const k of ['system', 'tools', 'messages'] as const) expect(JSON.stringify(sent[k])).toBe(JSON.stringify(body[k]));
    // Without the policy the same request goes through untouched too.
    const plain = await post('/v1/messages', { ...body, model: 'claude-manual' });
    expect(plain.headers.get('x-tollgate-prompt-cache-breakpoints')).toBeNull();
    expect(JSON.stringify((anthropic.requests.at(-1)!.body as Json).system)).toBe(JSON.stringify(body.system));
  });

  test('OpenAI chat client on Anthropic: the write and the read come back as OpenAI usage', async () => {
    const body = { model: 'claude-chat', max_tokens: 50, messages: [{ role: 'system', content: longSystem('chat') }, { role: 'user', content: 'Hi' }] };
    const first = (await (await post('/v1/chat/completions', body)).json()) as { usage: Json };
    const written = first.usage.cache_creation_input_tokens as number;
    expect(written).toBeGreaterThan(1024);
    expect(first.usage.prompt_tokens).toBe(11 + written);
    const res = await post('/v1/chat/completions', body);
    const again = (await res.json()) as { usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } } };
    expect(again.usage.prompt_tokens_details.cached_tokens).toBe(written);
    expect((await rowOf(res)).cost_micros).toBe(price([[11, SONNET.input], [written, SONNET.read], [7, SONNET.output]]));
  });
});

describe('Anthropic Messages on Bedrock Claude', () => {
  test('prompt_cache auto 1h: cachePoints with ttl; the Anthropic-schema usage and the ledger price the 1-hour write and then the read', async () => {
    const tools = Array.from({ length: 30 }, (_, i) => ({ name: `tool_${i}`, description: 'Looks a book up by title, author or ISBN. '.repeat(5), input_schema: { type: 'object', properties: { q: { type: 'string' } } } }));
    const body = { model: 'bedrock-1h', max_tokens: 50, system: longSystem('bedrock'), tools, messages: [{ role: 'user', content: 'Find Dune' }] };
    const first = await post('/v1/messages', body);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-tollgate-prompt-cache-breakpoints')).toBe('2');
    const sent = bedrock.requests.at(-1)!.body as { system: Json[]; toolConfig: { tools: Json[] } };
    expect(sent.system.at(-1)).toEqual({ cachePoint: { type: 'default', ttl: '1h' } });
    expect(sent.toolConfig.tools.at(-1)).toEqual({ cachePoint: { type: 'default', ttl: '1h' } });
    const u1 = ((await first.json()) as { usage: { input_tokens: number; cache_creation_input_tokens: number; cache_creation: Json } }).usage;
    const written = u1.cache_creation_input_tokens;
    expect(u1.input_tokens).toBe(11);
    expect(u1.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: written });
    const r1 = await rowOf(first);
    expect(r1).toMatchObject({ cache_write_tokens: written, cache_write_1h_tokens: written });
    expect(r1.cost_micros).toBe(price([[11, SONNET.input], [written, SONNET.write1h], [7, SONNET.output]]));

    const second = await post('/v1/messages', { ...body, stream: true });
    const events = await streamed(second);
    const delta = events.find((e) => e.type === 'message_delta')!.usage as Json;
    expect(delta.cache_read_input_tokens).toBe(written);
    const r2 = await rowOf(second);
    expect(r2).toMatchObject({ cached_input_tokens: written, cache_write_tokens: 0 });
    expect(r2.cost_micros).toBe(price([[11, SONNET.input], [written, SONNET.read], [7, SONNET.output]]));
  });
});

describe('OpenAI chat on Bedrock Claude', () => {
  test('prompt_cache auto (5m): a cachePoint after the system prompt; the stream reports the write, then the read as cached_tokens', async () => {
    const body = { model: 'bedrock-chat', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'system', content: longSystem('bedrock-chat') }, { role: 'user', content: 'Hi' }] };
    const first = await post('/v1/chat/completions', body);
    expect(first.headers.get('x-tollgate-prompt-cache-breakpoints')).toBe('1');
    expect((bedrock.requests.at(-1)!.body as { system: Json[] }).system.at(-1)).toEqual({ cachePoint: { type: 'default' } });
    const u1 = (await streamed(first)).find((c) => c.usage)!.usage as { prompt_tokens: number; cache_creation_input_tokens: number };
    const written = u1.cache_creation_input_tokens;
    expect(u1.prompt_tokens).toBe(11 + written);
    expect((await rowOf(first)).cost_micros).toBe(price([[11, SONNET.input], [written, SONNET.write5m], [7, SONNET.output]]));
    const second = await post('/v1/chat/completions', body);
    const u2 = (await streamed(second)).find((c) => c.usage)!.usage as { prompt_tokens_details: { cached_tokens: number } };
    expect(u2.prompt_tokens_details.cached_tokens).toBe(written);
    expect((await rowOf(second)).cost_micros).toBe(price([[11, SONNET.input], [written, SONNET.read], [7, SONNET.output]]));
  });
});

describe('OpenAI caches by itself', () => {
  test('prompt_cache auto on OpenAI is a reported no-op; cached_tokens are priced at the cache-read rate (chat and Responses)', async () => {
    const res = await post('/v1/chat/completions', { model: 'gpt', messages: [{ role: 'system', content: longSystem('openai') }, { role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tollgate-dropped-params')).toContain('prompt_cache');
    expect(res.headers.get('x-tollgate-prompt-cache-breakpoints')).toBeNull();
    expect(JSON.stringify(openai.requests.at(-1)!.body)).not.toContain('cache_control');
    // The mock reports 11 prompt tokens, 3 of them cached; gpt-4o-mini: $0.15 in, $0.075 cached, $0.60 out.
    const gptPrice = price([[8, 0.15], [3, 0.075], [7, 0.6]]);
    expect((await rowOf(res)).cost_micros).toBe(gptPrice);
    const responses = await post('/v1/responses', { model: 'gpt', input: 'Hi' });
    expect(responses.status).toBe(200);
    const r = (await responses.json()) as { usage: { input_tokens_details: { cached_tokens: number } } };
    expect(r.usage.input_tokens_details.cached_tokens).toBe(3);
    expect((await rowOf(responses)).cost_micros).toBe(gptPrice);
  });

  test('Gemini implicit caching: prompt_cache auto is a reported no-op; cachedContentTokenCount reaches the client as cached_tokens and is priced as a cache read', async () => {
    const body = { model: 'gemini', messages: [{ role: 'system', content: longSystem('gemini') }, { role: 'user', content: 'Hi' }] };
    const first = await post('/v1/chat/completions', body);
    expect(first.headers.get('x-tollgate-dropped-params')).toContain('prompt_cache');
    const u1 = ((await first.json()) as { usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } } }).usage;
    const system = u1.prompt_tokens - 11;
    expect(system).toBeGreaterThan(1000);
    expect(u1.prompt_tokens_details.cached_tokens).toBe(0);
    // gemini-2.5-flash: $0.30 in, $0.03 cached, $2.50 out.
    expect((await rowOf(first)).cost_micros).toBe(price([[11 + system, 0.3], [7, 2.5]]));
    const second = await post('/v1/chat/completions', { ...body, stream: true, stream_options: { include_usage: true } });
    const chunks = await streamed(second);
    const usage = chunks.find((c) => c.usage)!.usage as { prompt_tokens_details: { cached_tokens: number } };
    expect(usage.prompt_tokens_details.cached_tokens).toBe(system);
    const row = await rowOf(second);
    expect(row.cached_input_tokens).toBe(system);
    expect(row.cost_micros).toBe(price([[11, 0.3], [system, 0.03], [7, 2.5]]));
  });
});
