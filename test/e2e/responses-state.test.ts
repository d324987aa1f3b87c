import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import { startOpenAIUpstream, type OpenAIUpstream } from '../mocks/openai-upstream.ts';
import { startAnthropicUpstream } from '../mocks/anthropic-upstream.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../../src/server/start.ts';

// Stored responses through the official SDK: previous_response_id continues a conversation on
// any provider (and across providers), scoped to the key and team that created it; GET, DELETE
// and input_items; store: false keeps nothing; usage rows carry the endpoint, cancelled streams
// are billed.
const KEY = 'sk-test-upstream-0000';
const hash = (k: string) => createHash('sha256').update(k).digest('hex');
const ALICE = 'tg-alice-key-0000000000';
const BOB = 'tg-bob-key-00000000000';
const CAROL = 'tg-carol-key-0000000000';

let openai: OpenAIUpstream;
let compat: OpenAIUpstream;
let anthropic: ReturnType<typeof startAnthropicUpstream>;
let gw: Gateway;
const rows: Record<string, unknown>[] = [];
let alice: OpenAI;
let bob: OpenAI;
let carol: OpenAI;

beforeAll(async () => {
  openai = startOpenAIUpstream({ apiKey: KEY });
  compat = startOpenAIUpstream({});
  anthropic = startAnthropicUpstream({ apiKey: KEY });
  gw = await startTestGateway(
    {
      server: { host: '127.0.0.1', port: 0 },
      keys: [
        { name: 'alice', hash: hash(ALICE), team: 'red' },
        { name: 'bob', hash: hash(BOB), team: 'blue' },
        { name: 'carol', hash: hash(CAROL), team: 'red' },
      ],
      providers: {
        openai: { type: 'openai', base_url: openai.url + '/v1', api_key: KEY },
        searching: { type: 'openai', base_url: openai.url + '/v1', api_key: KEY, allowed_server_tools: ['web_search'] },
        compat: { type: 'openai-compatible', base_url: compat.url + '/v1' },
        claude: { type: 'anthropic', base_url: anthropic.url, api_key: KEY },
      },
      models: {
        native: { provider: 'openai', model: 'gpt-chat' },
        'native-slow': { provider: 'openai', model: 'gpt-slow' },
        local: { provider: 'compat', model: 'llama-chat' },
        'local-slow': { provider: 'compat', model: 'llama-slow' },
        claude: { provider: 'claude', model: 'claude-chat' },
        'native-cut': { provider: 'openai', model: 'gpt-cut' },
        'local-cut': { provider: 'compat', model: 'llama-cut' },
        search: { provider: 'searching', model: 'gpt-chat' },
      },
      responses: { max_row_bytes: 65_536, max_conversation_turns: 3 },
    },
    { logger: { debug() {}, info: (m, f) => m === 'request' || (f && 'endpoint' in f) ? rows.push({ m, ...f }) : undefined, warn() {}, error() {} } },
  );
  const client = (apiKey: string) => new OpenAI({ baseURL: gw.url + '/v1', apiKey, maxRetries: 0 });
  alice = client(ALICE);
  bob = client(BOB);
  carol = client(CAROL);
});
afterAll(async () => {
  await gw.stop();
  openai.stop();
  compat.stop();
  anthropic.stop();
});

const userTexts = (body: unknown): string => JSON.stringify(body);

describe('previous_response_id', () => {
  for (const model of ['native', 'local', 'claude']) {
    test(`continues the conversation on ${model}: the upstream gets the earlier turn and its answer`, async () => {
      const first = await alice.responses.create({ model, input: 'My name is Ada.' });
      const second = await alice.responses.create({ model, input: 'What is my name?', previous_response_id: first.id });
      expect(second.previous_response_id).toBe(first.id);
      const ups = { native: openai, local: compat, claude: anthropic }[model]!;
      const sent = userTexts(ups.requests.at(-1)!.body);
      expect(sent).toContain('My name is Ada.');
      expect(sent).toContain(first.output_text);
      expect(sent).toContain('What is my name?');
      expect(sent).not.toContain('previous_response_id');
    });
  }

  test('a conversation moves between providers: started on OpenAI natively, continued on Anthropic', async () => {
    const first = await alice.responses.create({ model: 'native', input: 'Remember: blue.' });
    const second = await alice.responses.create({ model: 'claude', input: 'Which colour?', previous_response_id: first.id });
    expect(second.status).toBe('completed');
    const sent = userTexts(anthropic.requests.at(-1)!.body);
    expect(sent).toContain('Remember: blue.');
    expect(sent).toContain(first.output_text);
  });

  test('a streamed response is stored too and can be continued', async () => {
    const stream = alice.responses.stream({ model: 'local', input: 'Streamed turn one.' });
    for await (const _ of stream) void _;
    const first = await stream.finalResponse();
    const got = await alice.responses.retrieve(first.id);
    expect(got.output_text).toBe(first.output_text);
    await alice.responses.create({ model: 'local', input: 'Turn two.', previous_response_id: first.id });
    expect(userTexts(compat.requests.at(-1)!.body)).toContain('Streamed turn one.');
  });

  test('an unknown id is a 404 naming previous_response_id', async () => {
    const e = (await alice.responses.create({ model: 'local', input: 'x', previous_response_id: 'resp_nope' }).catch((err: unknown) => err)) as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBe(404);
    expect(e.message).toContain('resp_nope');
    expect((e.error as { param?: string }).param).toBe('previous_response_id');
  });
});

describe('stored responses', () => {
  test('GET returns the response, input_items lists its input, DELETE removes it', async () => {
    const r = await alice.responses.create({ model: 'native', input: [{ role: 'user', content: 'one' }, { role: 'user', content: 'two' }] });
    const got = await alice.responses.retrieve(r.id);
    expect(got.id).toBe(r.id);
    expect(got.output_text).toBe(r.output_text);
    const items = await alice.responses.inputItems.list(r.id, { order: 'asc' });
    expect(items.data.map((i) => (i.type === 'message' ? JSON.stringify(i.content) : ''))).toEqual([expect.stringContaining('one'), expect.stringContaining('two')]);
    const desc = await alice.responses.inputItems.list(r.id);
    expect(JSON.stringify(desc.data[0])).toContain('two');
    const del = await fetch(`${gw.url}/v1/responses/${r.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ALICE}` } });
    expect([del.status, await del.json()]).toEqual([200, { id: r.id, object: 'response', deleted: true }]);
    const after = (await alice.responses.retrieve(r.id).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(after.status).toBe(404);
  });

  test('another key, or the same team with another key, gets 404 and never the content', async () => {
    const r = await alice.responses.create({ model: 'local', input: 'secret plans' });
    for (const other of [bob, carol]) {
      for (const call of [() => other.responses.retrieve(r.id), () => other.responses.inputItems.list(r.id), () => other.responses.delete(r.id), () => other.responses.create({ model: 'local', input: 'continue', previous_response_id: r.id })]) {
        const e = (await call().catch((err: unknown) => err)) as InstanceType<typeof OpenAI.APIError>;
        expect(e.status).toBe(404);
        expect(JSON.stringify(e.error)).not.toContain('secret plans');
      }
    }
    // Still there for its owner.
    expect((await alice.responses.retrieve(r.id)).id).toBe(r.id);
  });

  test('bounds answer 400 in the OpenAI schema: an input too large to store, a conversation past its turns', async () => {
    const big = 'z'.repeat(70_000);
    const e = (await alice.responses.create({ model: 'local', input: big }).catch((err: unknown) => err)) as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBe(400);
    expect(e.error).toMatchObject({ type: 'invalid_request_error', param: 'input', message: expect.stringContaining('store: false') });
    expect((await alice.responses.create({ model: 'local', input: big, store: false })).status).toBe('completed');
    let prev = (await alice.responses.create({ model: 'local', input: 'turn 1' })).id;
    for (let i = 2; i <= 4; i++) prev = (await alice.responses.create({ model: 'local', input: `turn ${i}`, previous_response_id: prev })).id;
    const sent = compat.requests.length;
    const res = await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'local', input: 'turn 5', previous_response_id: prev }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { type: 'invalid_request_error', param: 'previous_response_id', code: 'conversation_too_long', message: expect.stringContaining('at most 3') } });
    expect(compat.requests.length).toBe(sent);
  });

  test('an unknown model is refused before the stored conversation is read', async () => {
    const e = (await bob.responses.create({ model: 'nope', input: 'x', previous_response_id: 'resp_whatever' }).catch((err: unknown) => err)) as InstanceType<typeof OpenAI.APIError>;
    expect([e.status, (e.error as { param?: string }).param]).toEqual([404, 'model']);
  });

  test('store: false keeps nothing', async () => {
    const r = await alice.responses.create({ model: 'local', input: 'forget me', store: false });
    expect((r as unknown as { store: boolean }).store).toBe(false);
    const e = (await alice.responses.retrieve(r.id).catch((err: unknown) => err)) as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBe(404);
  });

  test('input_tokens counts the input, with the conversation before it', async () => {
    const alone = await alice.responses.inputTokens.count({ model: 'local', input: 'How many tokens is this?' });
    expect(alone.object).toBe('response.input_tokens');
    expect(alone.input_tokens).toBeGreaterThan(3);
    const prev = await alice.responses.create({ model: 'local', input: 'A much longer first turn that adds quite a few tokens to the conversation.' });
    const more = await alice.responses.inputTokens.count({ model: 'local', input: 'How many tokens is this?', previous_response_id: prev.id });
    expect(more.input_tokens).toBeGreaterThan(alone.input_tokens + 10);
  });
});

describe('GET ?stream=true', () => {
  const collapse = (types: string[]) => types.filter((t, i) => t !== types[i - 1]);
  const tools = [{ type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: false }];
  for (const [name, extra] of [['text', {}], ['a tool call', { tools, tool_choice: 'required' as const }]] as const) {
    test(`replays a stored response (${name}) as the event sequence it was streamed with, numbered, ending in the stored object`, async () => {
      const live: { type: string; sequence_number: number }[] = [];
      const stream = alice.responses.stream({ model: 'local', input: 'Replay me please.', ...extra });
      for await (const ev of stream) live.push(ev);
      const final = await stream.finalResponse();
      const replay = await alice.responses.retrieve(final.id, { stream: true });
      const got: { type: string; sequence_number: number; response?: unknown }[] = [];
      for await (const ev of replay) got.push(ev as never);
      // Live text comes word by word; the replay gives it whole: the same events otherwise.
      expect(collapse(got.map((e) => e.type))).toEqual(collapse(live.map((e) => e.type)));
      expect(got.map((e) => e.sequence_number)).toEqual(got.map((_, i) => i));
      const stored = await fetch(`${gw.url}/v1/responses/${final.id}`, { headers: { authorization: `Bearer ${ALICE}` } });
      expect(got.at(-1)!.response).toEqual(await stored.json());
    });
  }

  test('starting_after resumes after a sequence number; bad values and other tenants are refused', async () => {
    const r = await alice.responses.create({ model: 'local', input: 'Resume me.' });
    const all: { sequence_number: number }[] = [];
    for await (const ev of await alice.responses.retrieve(r.id, { stream: true })) all.push(ev);
    const rest: { sequence_number: number }[] = [];
    for await (const ev of await alice.responses.retrieve(r.id, { stream: true, starting_after: 3 })) rest.push(ev);
    expect(rest).toEqual(all.slice(4));
    const get = (q: string, key = ALICE) => fetch(`${gw.url}/v1/responses/${r.id}?${q}`, { headers: { authorization: `Bearer ${key}` } });
    for (const q of ['stream=true&starting_after=-1', 'stream=true&starting_after=x', 'stream=maybe']) {
      const res = await get(q);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    }
    const other = await get('stream=true', BOB);
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain('Resume me');
  });
});

describe('ledger', () => {
  test("usage rows carry endpoint 'responses' with the upstream's usage", async () => {
    const r = await alice.responses.create({ model: 'native', input: 'count me', store: false });
    const row = await waitFor(() => rows.find((x) => x.request_id === undefined ? false : JSON.stringify(x).includes('"responses"') && x.input_tokens === r.usage!.input_tokens));
    expect(row?.endpoint).toBe('responses');
  });

  for (const model of ['native-slow', 'local-slow']) {
    test(`a stream the client cancels (${model}) is billed as chat is: interrupted, with what was delivered`, async () => {
      const before = rows.length;
      const ac = new AbortController();
      const stream = await alice.responses.create({ model, input: 'a long answer please', stream: true, store: false }, { signal: ac.signal });
      let deltas = 0;
      try {
        for await (const ev of stream) {
          if (ev.type === 'response.output_text.delta') deltas++;
          if (deltas >= 1) ac.abort();
        }
      } catch {
        /* aborted */
      }
      const row = await waitFor(() => rows.slice(before).find((x) => x.endpoint === 'responses' && x.outcome === 'interrupted'));
      expect(row).toBeDefined();
      expect(Number(row!.output_tokens)).toBeGreaterThanOrEqual(1);
      expect(Number(row!.input_tokens)).toBeGreaterThan(0);
    });
  }
});

describe('errors', () => {
  for (const model of ['native-cut', 'local-cut']) {
    test(`a stream cut upstream (${model}) ends with the Responses error event, which the SDK raises`, async () => {
      const res = await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, input: 'hi', stream: true }) });
      const text = await res.text();
      const last = text.trim().split('\n\n').at(-1)!;
      expect(last.startsWith('event: error\ndata: ')).toBe(true);
      const data = JSON.parse(last.slice('event: error\ndata: '.length)) as Record<string, unknown>;
      expect(data).toMatchObject({ type: 'error', message: expect.any(String) });
      // The error event is numbered after the last event before it.
      const before = JSON.parse(text.trim().split('\n\n').at(-2)!.split('\ndata: ')[1]!) as { sequence_number: number };
      expect(data.sequence_number).toBe(before.sequence_number + 1);
      expect(text).not.toContain('event: response.completed');
      const stream = await alice.responses.create({ model, input: 'hi', stream: true });
      const e = await (async () => {
        for await (const _ of stream) void _;
      })().catch((err: unknown) => err);
      expect(e).toBeInstanceOf(OpenAI.APIError);
    });
  }

  test('a built-in tool goes through natively where the operator allows it, and is refused (403) where not', async () => {
    const tools = [{ type: 'web_search' }] as never;
    const ok = await alice.responses.create({ model: 'search', input: 'news?', tools, store: false });
    expect(ok.status).toBe('completed');
    expect(JSON.stringify(openai.requests.at(-1)!.body)).toContain('web_search');
    const e = (await alice.responses.create({ model: 'native', input: 'news?', tools, store: false }).catch((err: unknown) => err)) as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBe(403);
    expect(e.message).toContain('web_search');
  });

  test('errors are in the OpenAI error schema', async () => {
    const res = await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'local', input: 'x', temperature: 7 }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'temperature', message: expect.any(String) } });
  });
});

async function waitFor<T>(f: () => T | undefined, ms = 3000): Promise<T | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = f();
    if (v) return v;
    await Bun.sleep(20);
  }
  return f();
}
