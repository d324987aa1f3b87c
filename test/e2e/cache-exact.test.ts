import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { createClient, type Client } from '@libsql/client';
import { startOpenAIUpstream, type OpenAIUpstream } from '../mocks/openai-upstream.ts';
import { startAnthropicUpstream, type AnthropicUpstream } from '../mocks/anthropic-upstream.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { prng } from '../support/prng.ts';
import type { Gateway } from '../../src/server/start.ts';

// Issue 16, the exact response cache through the live gateway: decided by policy, keyed by
// everything that can change the answer, isolated by tenant, never caching a failure, served as
// JSON or as a stream in the client's schema, free upstream yet still rate-limited.
const UP_KEY = 'upstream-test-key-0000';
const hash = (k: string) => createHash('sha256').update(k).digest('hex');
const RED1 = 'tg-red-one-key-000000000';
const RED2 = 'tg-red-two-key-000000000';
const BLUE = 'tg-blue-key-0000000000000';

const POLICY = `package gateway

cache_for(m) := {"mode": "read_write", "scope": "team", "bypass": true} if startswith(m, "c-")
cache_for(m) := {"mode": "read_write"} if startswith(m, "k-")
cache_for(m) := {"mode": "read_write", "scope": "team"} if startswith(m, "s-")
cache_for(m) := {"mode": "read_write", "scope": "team"} if startswith(m, "r-")
cache_for(m) := {"mode": "read_write", "semantic": {"threshold": 0.9}} if startswith(m, "v-")

limits := {"rate_limit": {"rpm": 3}} if startswith(input.request.model, "r-")
limits := {"budget": {"limit_usd": 5, "period": "day", "scope": "team"}} if startswith(input.request.model, "b-")
default limits := {}

decision := object.union(object.union({"allowed": true}, limits), {"cache": cache_for(input.request.model)}) if cache_for(input.request.model)
decision := object.union({"allowed": true, "cache": {"mode": "read_write", "scope": "team"}}, limits) if startswith(input.request.model, "b-")
decision := object.union({"allowed": true}, limits) if {
  not cache_for(input.request.model)
  not startswith(input.request.model, "b-")
}
`;

let openai: OpenAIUpstream;
let anthropic: AnthropicUpstream;
let gw: Gateway;
let db: Client;
const dir = mkdtempSync(join(tmpdir(), 'tollgate-cache-exact-'));

beforeAll(async () => {
  openai = startOpenAIUpstream({ apiKey: UP_KEY });
  anthropic = startAnthropicUpstream({ apiKey: UP_KEY });
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'decision.rego'), POLICY);
  const chat = (model: string) => ({ provider: 'openai', model });
  gw = await startTestGateway({
    server: { host: '127.0.0.1', port: 0 },
    database: { url: `file:${join(dir, 'db.sqlite')}` },
    ledger: { flush_ms: 20 },
    routing: { retries: { max_retries: 0, budget_ms: 0 }, keys: { rate_limit_cooldown_ms: 1 } },
    policy: { dir: join(dir, 'policies'), watch: false },
    keys: [
      { name: 'red1', hash: hash(RED1), team: 'red' },
      { name: 'red2', hash: hash(RED2), team: 'red' },
      { name: 'blue', hash: hash(BLUE), team: 'blue' },
    ],
    providers: { openai: { type: 'openai', base_url: openai.url + '/v1', api_key: UP_KEY }, claude: { type: 'anthropic', base_url: anthropic.url, api_key: UP_KEY } },
    models: {
      'c-chat': chat('gpt-cache'),
      'c-alias': chat('gpt-cache'),
      'v-chat': chat('gpt-cache'),
      'c-tool': chat('gpt-cache-tool'),
      'c-500': chat('gpt-error-500'),
      'c-429': chat('gpt-error-429'),
      'c-filter': chat('gpt-filtered'),
      'c-long': chat('gpt-long'),
      'c-cut': chat('gpt-cut'),
      'c-slow': chat('gpt-slow'),
      'c-claude': { provider: 'claude', model: 'claude-cache' },
      'c-claude-tool': { provider: 'claude', model: 'claude-cache-tool' },
      'k-chat': chat('gpt-cache'),
      's-chat': chat('gpt-cache'),
      'r-chat': chat('gpt-cache'),
      'b-chat': chat('gpt-cache'),
      plain: chat('gpt-cache'),
    },
    prices: { 'gpt-cache': { input: 1000, output: 2000 }, 'gpt-cache-tool': { input: 1000, output: 2000 } },
  });
  db = createClient({ url: `file:${join(dir, 'db.sqlite')}` });
});
afterAll(async () => {
  db?.close();
  await gw?.stop();
  openai?.stop();
  anthropic?.stop();
});

const post = (key: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const upstreamCalls = () => openai.requests.length + anthropic.requests.length;
let n = 0;
/** A prompt no other test sends (entries outlive a test). */
const fresh = (what = 'question') => `${what} ${++n} ${Math.random().toString(36).slice(2)}`;
const ask = (model: string, text: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: text }], ...extra });

async function usageRow(requestId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const r = await db.execute({ sql: 'SELECT * FROM usage WHERE request_id = ?', args: [requestId] });
    if (r.rows[0]) return r.rows[0] as unknown as Record<string, unknown>;
    await Bun.sleep(20);
  }
  throw new Error(`no usage row for ${requestId}`);
}
/** Sends the request twice (the first is given time to be stored) and returns both answers. */
async function twice(key: string, path: string, body: unknown, headers?: Record<string, string>) {
  const first = await post(key, path, body, headers);
  const firstText = await first.text();
  await Bun.sleep(30);
  const second = await post(key, path, body, headers);
  return { first, firstText, second, secondText: await second.text() };
}

describe('exact hits', () => {
  test('the same chat request is answered from the cache: no upstream call, the same answer, hit and key headers, a free usage row that says what it saved', async () => {
    const body = ask('c-chat', fresh());
    const before = upstreamCalls();
    const { first, firstText, second, secondText } = await twice(RED1, '/v1/chat/completions', body);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.headers.get('x-tollgate-cache')).toBe('miss');
    expect(second.headers.get('x-tollgate-cache')).toBe('hit');
    expect(second.headers.get('x-tollgate-cache-key')).toBe(first.headers.get('x-tollgate-cache-key')!);
    expect(second.headers.get('x-tollgate-cache-key')).toMatch(/^[0-9a-f]{16}$/);
    expect(upstreamCalls() - before).toBe(1);
    // The same answer, under an id and time of its own.
    const [one, two] = [JSON.parse(firstText), JSON.parse(secondText)];
    expect({ ...two, id: one.id, created: one.created }).toEqual(one);
    expect(two.id).not.toBe(one.id);
    const miss = await usageRow(first.headers.get('x-request-id')!);
    const hit = await usageRow(second.headers.get('x-request-id')!);
    expect(Number(miss.cost_micros)).toBeGreaterThan(0);
    expect([Number(miss.cache_hit), Number(miss.saved_micros)]).toEqual([0, 0]);
    expect([Number(hit.cache_hit), Number(hit.cost_micros), Number(hit.saved_micros), Number(hit.input_tokens), Number(hit.output_tokens)]).toEqual([1, 0, Number(miss.cost_micros), 0, 0]);
    expect([hit.status, hit.outcome, hit.served_model]).toEqual([200, 'ok', 'gpt-cache']);
  });

  test('key order and whitespace of the JSON do not matter', async () => {
    const text = fresh();
    const a = `{"model":"c-chat","temperature":0.2,"messages":[{"role":"user","content":${JSON.stringify(text)}}],"max_tokens":50}`;
    const b = `{\n  "max_tokens" : 50 ,\n  "messages" : [ { "content" : ${JSON.stringify(text)} , "role" : "user" } ],\n  "temperature":0.2, "model":"c-chat"\n}`;
    const first = await post(RED1, '/v1/chat/completions', a);
    await first.text();
    await Bun.sleep(30);
    const second = await post(RED1, '/v1/chat/completions', b);
    expect(second.headers.get('x-tollgate-cache')).toBe('hit');
    expect(second.headers.get('x-tollgate-cache-key')).toBe(first.headers.get('x-tollgate-cache-key')!);
  });

  test('property: any change of system prompt, tool, tool_choice, response format, sampling parameter or earlier turn is a miss; repeating it is a hit', async () => {
    const rand = prng(16);
    const tool = (name: string) => ({ type: 'function', function: { name, description: 'd', parameters: { type: 'object', properties: { q: { type: 'string' } } } } });
    const mutations: ((b: Record<string, unknown>, r: number) => Record<string, unknown>)[] = [
      (b, r) => ({ ...b, messages: [{ role: 'system', content: `You are helper ${r}.` }, ...(b.messages as unknown[])] }),
      (b, r) => ({ ...b, messages: [{ role: 'user', content: `earlier ${r}` }, { role: 'assistant', content: 'ok' }, ...(b.messages as unknown[])] }),
      (b, r) => ({ ...b, tools: [tool(`t${Math.floor(r * 1e6)}`)] }),
      (b) => ({ ...b, tools: [tool('lookup')], tool_choice: 'none' }),
      (b) => ({ ...b, response_format: { type: 'json_object' } }),
      (b, r) => ({ ...b, temperature: Math.round(r * 100) / 100 + 0.01 }),
      (b, r) => ({ ...b, top_p: Math.round(r * 100) / 200 + 0.01 }),
      (b, r) => ({ ...b, seed: Math.floor(r * 1e6) }),
      (b, r) => ({ ...b, stop: [`END${Math.floor(r * 1000)}`] }),
      (b, r) => ({ ...b, max_tokens: 100 + Math.floor(r * 1000) }),
      (b) => ({ ...b, n: 2 }),
      (b) => ({ ...b, logprobs: true }),
      (b) => ({ ...b, presence_penalty: 0.5 }),
    ];
    const base = ask('c-chat', fresh('base'));
    const keyOf = async (body: unknown) => {
      const r = await post(RED1, '/v1/chat/completions', body);
      await r.text();
      return { state: r.headers.get('x-tollgate-cache'), key: r.headers.get('x-tollgate-cache-key') };
    };
    const baseKey = (await keyOf(base)).key;
    const keys = new Set([baseKey]);
    for (const [i, mutate] of mutations.entries()) {
      const changed = mutate(base, rand());
      const first = await keyOf(changed);
      expect({ i, state: first.state }).toEqual({ i, state: 'miss' });
      expect(keys.has(first.key)).toBe(false);
      keys.add(first.key);
      await Bun.sleep(20);
      expect({ i, again: (await keyOf(changed)).state }).toEqual({ i, again: 'hit' });
    }
    expect((await keyOf(base)).state).toBe('hit');
  }, 60_000);

  test('a tool call replays exactly, as JSON and as a stream read by the OpenAI SDK', async () => {
    const body = ask('c-tool', fresh('weather in Paris'), { tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }] });
    const { first, firstText, second, secondText } = await twice(RED1, '/v1/chat/completions', body);
    expect(second.headers.get('x-tollgate-cache')).toBe('hit');
    const call = JSON.parse(firstText).choices[0].message.tool_calls;
    expect(call[0].function.name).toBe('get_weather');
    expect(JSON.parse(secondText).choices[0].message.tool_calls).toEqual(call);
    expect(first.headers.get('x-tollgate-cache')).toBe('miss');
    const sdk = new OpenAI({ baseURL: gw.url + '/v1', apiKey: RED1, maxRetries: 0 });
    const stream = await sdk.chat.completions.create({ ...(body as OpenAI.ChatCompletionCreateParamsNonStreaming), stream: true });
    const deltas: OpenAI.ChatCompletionChunk[] = [];
    for await (const ch of stream) deltas.push(ch);
    const streamed = deltas.flatMap((d) => d.choices[0]?.delta.tool_calls ?? []);
    expect(streamed.map((t) => t.function?.arguments ?? '').join('')).toBe(call[0].function.arguments);
    expect(streamed[0]!.id).toBe(call[0].id);
    expect(deltas.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
  });
});

describe('tenant isolation', () => {
  test('property: two teams with identical prompts never see each other\u2019s entries; team scope shares within the team; key scope not even that', async () => {
    const rand = prng(7);
    for (let i = 0; i < 6; i++) {
      const text = `identical prompt ${Math.floor(rand() * 1e9)} ${fresh()}`;
      const red = await post(RED1, '/v1/chat/completions', ask('c-chat', text));
      await red.text();
      await Bun.sleep(20);
      const blue = await post(BLUE, '/v1/chat/completions', ask('c-chat', text));
      await blue.text();
      expect(blue.headers.get('x-tollgate-cache')).toBe('miss');
      expect(blue.headers.get('x-tollgate-cache-key')).not.toBe(red.headers.get('x-tollgate-cache-key'));
      const mate = await post(RED2, '/v1/chat/completions', ask('c-chat', text));
      await mate.text();
      expect(mate.headers.get('x-tollgate-cache')).toBe('hit');
      // Key scope: the same team's other key has its own entries.
      const own = await post(RED1, '/v1/chat/completions', ask('k-chat', text));
      await own.text();
      await Bun.sleep(20);
      const other = await post(RED2, '/v1/chat/completions', ask('k-chat', text));
      await other.text();
      expect(other.headers.get('x-tollgate-cache')).toBe('miss');
    }
  }, 60_000);
});

describe('what a hit carries', () => {
  test("a Responses hit carries this request's user, metadata and store, never the writer's (team scope)", async () => {
    const input = fresh('responses echo');
    const first = await post(RED1, '/v1/responses', { model: 'c-chat', input, user: 'red-user-42', metadata: { customer: 'acme-secret' }, store: false });
    expect(first.headers.get('x-tollgate-cache')).toBe('miss');
    await first.text();
    await Bun.sleep(60);
    const second = await post(RED2, '/v1/responses', { model: 'c-chat', input });
    expect(second.headers.get('x-tollgate-cache')).toBe('hit');
    const body = (await second.json()) as Record<string, unknown>;
    expect([body.user, body.metadata, body.store]).toEqual([null, {}, true]);
    expect(JSON.stringify(body)).not.toContain('acme-secret');
  });

  test('a chat hit has its own id and the model name asked for; two names for one target keep their own entries', async () => {
    const text = fresh('alias');
    const a = await twice(RED1, '/v1/chat/completions', ask('c-chat', text));
    expect(a.second.headers.get('x-tollgate-cache')).toBe('hit');
    const [one, two] = [JSON.parse(a.firstText), JSON.parse(a.secondText)];
    expect(two.id).not.toBe(one.id);
    expect(two.model).toBe('c-chat');
    expect(two.choices).toEqual(one.choices);
    const other = await post(RED1, '/v1/chat/completions', ask('c-alias', text));
    expect(other.headers.get('x-tollgate-cache')).toBe('miss');
    expect(((await other.json()) as { model: string }).model).toBe('c-alias');
  });
});

describe('semantic hits asked for where none are configured', () => {
  test('the decision asks for semantic hits on a gateway without cache.semantic: exact hits still work, and every answer says semantic is not configured', async () => {
    const text = fresh('semantic wanted');
    const { first, second } = await twice(RED1, '/v1/chat/completions', ask('v-chat', text));
    expect([first.headers.get('x-tollgate-cache'), second.headers.get('x-tollgate-cache')]).toEqual(['miss', 'hit']);
    expect([first.headers.get('x-tollgate-cache-semantic'), second.headers.get('x-tollgate-cache-semantic')]).toEqual(['not-configured', 'not-configured']);
    const plain = await post(RED1, '/v1/chat/completions', ask('c-chat', fresh()));
    await plain.text();
    expect(plain.headers.get('x-tollgate-cache-semantic')).toBeNull();
  });
});

describe('never a failure', () => {
  for (const [model, status] of [['c-500', 500], ['c-429', 429], ['c-filter', 200], ['c-long', 200]] as const) {
    for (const stream of [false, true]) {
      test(`${model} (${stream ? 'stream' : 'JSON'}) is not stored: the next identical request goes upstream`, async () => {
        const body = ask(model, fresh(), stream ? { stream: true } : {});
        const before = upstreamCalls();
        const { first, second } = await twice(RED1, '/v1/chat/completions', body);
        // An upstream 500 reaches the client as a 502 (the gateway's own status for an upstream fault).
        expect(first.status).toBe(status === 500 ? 502 : status);
        expect(second.headers.get('x-tollgate-cache')).not.toBe('hit');
        expect(upstreamCalls() - before).toBeGreaterThanOrEqual(2);
      });
    }
  }

  test('an interrupted stream (the upstream cut it) is not stored', async () => {
    const body = ask('c-cut', fresh(), { stream: true });
    const before = upstreamCalls();
    const { second } = await twice(RED1, '/v1/chat/completions', body);
    expect(second.headers.get('x-tollgate-cache')).toBe('miss');
    expect(upstreamCalls() - before).toBe(2);
  });

  test('a stream the client cancels mid-way is not stored', async () => {
    const body = ask('c-slow', fresh(), { stream: true });
    const ctl = new AbortController();
    const r = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', signal: ctl.signal, headers: { 'content-type': 'application/json', authorization: `Bearer ${RED1}` }, body: JSON.stringify(body) });
    const reader = r.body!.getReader();
    await reader.read();
    ctl.abort();
    await reader.cancel().catch(() => {});
    await Bun.sleep(800);
    const again = await post(RED1, '/v1/chat/completions', body);
    await again.text();
    expect(again.headers.get('x-tollgate-cache')).toBe('miss');
  });
});

describe('streams in every client schema', () => {
  test('chat: a streamed answer is stored from the reassembled stream and served as a stream (and as JSON)', async () => {
    const sdk = new OpenAI({ baseURL: gw.url + '/v1', apiKey: RED1, maxRetries: 0 });
    const body = { model: 'c-chat', messages: [{ role: 'user' as const, content: fresh() }] };
    const read = async () => {
      const { data, response } = await sdk.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }).withResponse();
      let text = '';
      let usage: unknown;
      for await (const ch of data) {
        text += ch.choices[0]?.delta.content ?? '';
        if (ch.usage) usage = ch.usage;
      }
      return { text, usage, state: response.headers.get('x-tollgate-cache') };
    };
    const a = await read();
    await Bun.sleep(30);
    const b = await read();
    expect([a.state, b.state]).toEqual(['miss', 'hit']);
    expect(b.text).toBe(a.text);
    expect(b.text.length).toBeGreaterThan(0);
    expect(b.usage).toEqual(a.usage);
    const json = await post(RED1, '/v1/chat/completions', body);
    expect(json.headers.get('x-tollgate-cache')).toBe('hit');
    expect(((await json.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe(a.text);
  });

  test('messages: served as the Anthropic stream the SDK reads, and as JSON', async () => {
    const sdk = new Anthropic({ baseURL: gw.url, apiKey: RED1, maxRetries: 0 });
    const body = { model: 'c-claude', max_tokens: 100, messages: [{ role: 'user' as const, content: fresh() }] };
    const first = await sdk.messages.create(body).withResponse();
    expect(first.response.headers.get('x-tollgate-cache')).toBe('miss');
    await Bun.sleep(30);
    const second = await sdk.messages.create(body).withResponse();
    expect(second.response.headers.get('x-tollgate-cache')).toBe('hit');
    expect({ ...second.data, id: first.data.id }).toEqual(first.data);
    expect(second.data.id).not.toBe(first.data.id);
    const stream = sdk.messages.stream(body);
    const final = await stream.finalMessage();
    expect(JSON.parse(JSON.stringify(final.content)) as unknown).toEqual(JSON.parse(JSON.stringify(first.data.content)));
    expect(final.stop_reason).toBe(first.data.stop_reason);
  });

  test('messages: a tool_use block replays exactly through the SDK stream', async () => {
    const sdk = new Anthropic({ baseURL: gw.url, apiKey: RED1, maxRetries: 0 });
    const body = { model: 'c-claude-tool', max_tokens: 100, tools: [{ name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } }], messages: [{ role: 'user' as const, content: fresh('weather in Oslo') }] };
    const first = await sdk.messages.create(body);
    expect(first.stop_reason).toBe('tool_use');
    await Bun.sleep(30);
    const { data: stream, response } = await sdk.messages.stream(body).withResponse();
    expect(response.headers.get('x-tollgate-cache')).toBe('hit');
    const final = await stream.finalMessage();
    const tools = (m: Anthropic.Message) => m.content.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name, input: b.input }));
    expect(tools(final)).toEqual(tools(first));
    expect(tools(first).length).toBe(1);
  });

  test('responses: a hit is a new stored response (its id continues the conversation), and streams as the Responses events the SDK reads', async () => {
    const sdk = new OpenAI({ baseURL: gw.url + '/v1', apiKey: RED1, maxRetries: 0 });
    const body = { model: 'c-chat', input: fresh() };
    const first = await sdk.responses.create(body).withResponse();
    expect(first.response.headers.get('x-tollgate-cache')).toBe('miss');
    await Bun.sleep(60);
    const second = await sdk.responses.create(body).withResponse();
    expect(second.response.headers.get('x-tollgate-cache')).toBe('hit');
    expect(second.data.id).not.toBe(first.data.id);
    expect(second.data.output_text).toBe(first.data.output_text);
    await Bun.sleep(60);
    const fetched = await sdk.responses.retrieve(second.data.id);
    expect(fetched.output_text).toBe(first.data.output_text);
    const stream = await sdk.responses.create({ ...body, stream: true });
    let text = '';
    let done = false;
    for await (const ev of stream) {
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.completed') done = true;
    }
    expect([text, done]).toEqual([first.data.output_text, true]);
  });
});

describe('money and limits', () => {
  test('a hit still counts against the rate limit (rpm 3: miss, hit, hit, then 429)', async () => {
    const body = ask('r-chat', fresh());
    const states: (string | number | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await post(RED1, '/v1/chat/completions', body);
      await r.text();
      states.push(r.status === 200 ? r.headers.get('x-tollgate-cache') : r.status);
      await Bun.sleep(20);
    }
    expect(states).toEqual(['miss', 'hit', 'hit', 429]);
  });

  test('a hit charges no budget: the team\u2019s booked spend is the miss\u2019s cost alone', async () => {
    const body = ask('b-chat', fresh(), { max_tokens: 20 });
    const first = await post(BLUE, '/v1/chat/completions', body);
    await first.text();
    const row0 = await usageRow(first.headers.get('x-request-id')!);
    const cost = Number(row0.cost_micros);
    expect(cost).toBeGreaterThan(0);
    const spent = async () => Number((await db.execute("SELECT coalesce(sum(spent_micros), 0) AS m FROM spend WHERE scope = 'team' AND scope_id = 'blue' AND period = 'day'")).rows[0]!.m);
    for (let i = 0; i < 100 && (await spent()) < cost; i++) await Bun.sleep(20);
    const before = await spent();
    for (let i = 0; i < 3; i++) {
      const r = await post(BLUE, '/v1/chat/completions', body);
      await r.text();
      expect(r.headers.get('x-tollgate-cache')).toBe('hit');
      expect(Number((await usageRow(r.headers.get('x-request-id')!)).cost_micros)).toBe(0);
    }
    await Bun.sleep(300);
    expect(await spent()).toBe(before);
  });
});

describe('client bypass', () => {
  test('bypass where the policy allows it: not read, not written; refresh: not read, written', async () => {
    const body = ask('c-chat', fresh());
    await (await post(RED1, '/v1/chat/completions', body)).text();
    await Bun.sleep(30);
    const before = upstreamCalls();
    const bypass = await post(RED1, '/v1/chat/completions', body, { 'x-tollgate-cache': 'bypass' });
    await bypass.text();
    expect(bypass.headers.get('x-tollgate-cache')).toBe('bypass');
    const refresh = await post(RED1, '/v1/chat/completions', body, { 'x-tollgate-cache': 'refresh' });
    await refresh.text();
    expect(refresh.headers.get('x-tollgate-cache')).toBe('bypass');
    expect(upstreamCalls() - before).toBe(2);
    const row = await usageRow(bypass.headers.get('x-request-id')!);
    expect(Number(row.cache_hit)).toBe(0);
  });

  test('bypass the policy does not allow is not honoured and says so; an unknown value is a 400 in the caller\u2019s schema', async () => {
    const body = ask('s-chat', fresh());
    await (await post(RED1, '/v1/chat/completions', body)).text();
    await Bun.sleep(30);
    const r = await post(RED1, '/v1/chat/completions', body, { 'x-tollgate-cache': 'bypass' });
    await r.text();
    expect(r.headers.get('x-tollgate-cache')).toBe('hit');
    expect(r.headers.get('x-tollgate-cache-bypass')).toBe('refused');
    const bad = await post(RED1, '/v1/chat/completions', body, { 'x-tollgate-cache': 'sometimes' });
    expect(bad.status).toBe(400);
    const err = (await bad.json()) as { error: { message: string; param: string } };
    expect(err.error.message).toContain('x-tollgate-cache');
    const anth = await post(RED1, '/v1/messages', { model: 'c-claude', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, { 'x-tollgate-cache': 'sometimes' });
    expect(anth.status).toBe(400);
    expect(((await anth.json()) as { type: string }).type).toBe('error');
  });

  test('a model the policy does not cache says nothing about the cache and always goes upstream', async () => {
    const body = ask('plain', fresh());
    const before = upstreamCalls();
    const { first, second } = await twice(RED1, '/v1/chat/completions', body);
    expect([first.headers.get('x-tollgate-cache'), second.headers.get('x-tollgate-cache')]).toEqual([null, null]);
    expect(upstreamCalls() - before).toBe(2);
  });
});
