import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { createClient, type Client } from '@libsql/client';
import { startOpenAIUpstream, type OpenAIUpstream } from '../mocks/openai-upstream.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../../src/server/start.ts';

// Issue 16, hardening: identical misses that arrive while one is in flight on the same gateway
// wait for its answer instead of going upstream again — through the live gateway, with real
// parallel requests and an upstream that counts calls and holds them until the test lets go.
const UP_KEY = 'upstream-coalesce-key-00';
const MASTER = 'tg-master-coalesce-000000000000';
const hash = (k: string) => createHash('sha256').update(k).digest('hex');
const RED1 = 'tg-coalesce-red-one-0000';
const RED2 = 'tg-coalesce-red-two-0000';
const BLUE = 'tg-coalesce-blue-0000000';

const POLICY = `package gateway

decision := {"allowed": true, "rate_limit": {"rpm": 3}, "cache": {"mode": "read_write", "scope": "team"}} if startswith(input.request.model, "r-")
decision := {"allowed": true, "cache": {"mode": "read_write", "scope": "team"}} if not startswith(input.request.model, "r-")
`;

/** The OpenAI mock behind a gate: counts calls, holds each until `open()`, fails the next `failNext` with a 500. */
function gatedUpstream(target: string) {
  let release: () => void = () => {};
  let gate = Promise.resolve();
  const s = {
    calls: 0,
    failNext: 0,
    close() {
      gate = new Promise((r) => (release = r));
    },
    open: () => release(),
    server: Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      idleTimeout: 0,
      async fetch(req) {
        s.calls++;
        const fail = s.failNext > 0 && s.failNext-- > 0;
        const body = await req.text();
        await gate;
        if (fail) return Response.json({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }, { status: 500 });
        const headers = new Headers(req.headers);
        headers.delete('host');
        return fetch(target + new URL(req.url).pathname, { method: req.method, headers, body });
      },
    }),
  };
  return s;
}

let openai: OpenAIUpstream;
let up: ReturnType<typeof gatedUpstream>;
let gw: Gateway;
let db: Client;
let masterBefore: string | undefined;
const dir = mkdtempSync(join(tmpdir(), 'tollgate-cache-coalesce-'));

beforeAll(async () => {
  masterBefore = process.env.TOLLGATE_MASTER_KEY;
  process.env.TOLLGATE_MASTER_KEY = MASTER;
  openai = startOpenAIUpstream({ apiKey: UP_KEY });
  up = gatedUpstream(openai.url);
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'decision.rego'), POLICY);
  gw = await gatewayOn(join(dir, 'db.sqlite'));
  db = createClient({ url: `file:${join(dir, 'db.sqlite')}` });
});

/** A gateway on `file` behind the gated upstream; `over` adds to its config. */
const gatewayOn = (file: string, over: Record<string, unknown> = {}) =>
  startTestGateway({
    server: { host: '127.0.0.1', port: 0 },
    database: { url: `file:${file}` },
    ledger: { flush_ms: 20 },
    routing: { retries: { max_retries: 0, budget_ms: 0 } },
    policy: { dir: join(dir, 'policies'), watch: false },
    keys: [
      { name: 'red1', hash: hash(RED1), team: 'red' },
      { name: 'red2', hash: hash(RED2), team: 'red' },
      { name: 'blue', hash: hash(BLUE), team: 'blue' },
    ],
    providers: { openai: { type: 'openai', base_url: `http://127.0.0.1:${up.server.port}/v1`, api_key: UP_KEY } },
    models: { chat: { provider: 'openai', model: 'gpt-cache' }, slow: { provider: 'openai', model: 'gpt-slow' }, 'r-chat': { provider: 'openai', model: 'gpt-cache' } },
    prices: { 'gpt-cache': { input: 1000, output: 2000 }, 'gpt-slow': { input: 1000, output: 2000 } },
    ...over,
  });
afterAll(async () => {
  db?.close();
  await gw?.stop();
  up?.server.stop(true);
  openai?.stop();
  if (masterBefore === undefined) delete process.env.TOLLGATE_MASTER_KEY;
  else process.env.TOLLGATE_MASTER_KEY = masterBefore;
});

let n = 0;
const fresh = () => `coalesce ${++n} ${Math.random().toString(36).slice(2)}`;
const body = (text: string, o: Record<string, unknown> = {}) => ({ model: 'chat', messages: [{ role: 'user', content: text }], ...o });
const send = (key: string, b: unknown, signal?: AbortSignal) =>
  fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', signal, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(b) });
async function until(what: string, cond: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 1000; i++) {
    if (await cond()) return;
    await Bun.sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}
const waiting = async () => Number(((await (await fetch(`${gw.url}/admin/cache`, { headers: { authorization: `Bearer ${MASTER}` } })).json()) as { coalesced_waiting: number }).coalesced_waiting);
async function usageRow(requestId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 300; i++) {
    const r = await db.execute({ sql: 'SELECT * FROM usage WHERE request_id = ?', args: [requestId] });
    if (r.rows[0]) return r.rows[0] as unknown as Record<string, unknown>;
    await Bun.sleep(20);
  }
  throw new Error(`no usage row for ${requestId}`);
}
/** The text of a chat stream, reassembled. */
const streamText = (sse: string) =>
  sse
    .split('\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)).choices?.[0]?.delta?.content ?? '')
    .join('');

/** Sends the leader, waits until it is upstream (held), then sends the followers and waits until they all wait for it. */
async function leaderThenFollowers(leader: () => Promise<Response>, followers: (() => Promise<Response>)[], waitingFor = followers.length) {
  up.close();
  const before = up.calls;
  const first = leader();
  await until('the leader upstream', () => up.calls === before + 1);
  const rest = followers.map((f) => f());
  await until('the followers waiting', async () => (await waiting()) === waitingFor);
  return { first, rest };
}

describe('identical misses in flight', () => {
  test('five at once: one upstream call; the followers are hits with the leader\u2019s answer, billed 0 with what they saved', async () => {
    const b = body(fresh());
    const before = up.calls;
    const { first, rest } = await leaderThenFollowers(() => send(RED1, b), [RED2, RED1, RED2, RED1].map((k) => () => send(k, b)));
    up.open();
    const all = await Promise.all([first, ...rest]);
    const texts = await Promise.all(all.map((r) => r.text()));
    expect(up.calls - before).toBe(1);
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(all.map((r) => r.headers.get('x-tollgate-cache'))).toEqual(['miss', 'hit', 'hit', 'hit', 'hit']);
    expect(all.slice(1).map((r) => r.headers.get('x-tollgate-cache-coalesced'))).toEqual(['1', '1', '1', '1']);
    // The leader's answer, each under an id and time of its own.
    const lead = JSON.parse(texts[0]!);
    for (const t of texts.slice(1)) {
      const own = JSON.parse(t);
      expect({ ...own, id: lead.id, created: lead.created }).toEqual(lead);
      expect(own.id).not.toBe(lead.id);
    }
    const leader = await usageRow(all[0]!.headers.get('x-request-id')!);
    expect(Number(leader.cost_micros)).toBeGreaterThan(0);
    for (const r of all.slice(1)) {
      const row = await usageRow(r.headers.get('x-request-id')!);
      expect([Number(row.cache_hit), Number(row.cost_micros), Number(row.saved_micros), Number(row.output_tokens)]).toEqual([1, 0, Number(leader.cost_micros), 0]);
    }
  });

  test('streams too: a streamed leader\u2019s answer is replayed to streaming followers and served as JSON to the others', async () => {
    const text = fresh();
    const before = up.calls;
    const { first, rest } = await leaderThenFollowers(() => send(RED1, body(text, { stream: true })), [
      () => send(RED2, body(text, { stream: true })),
      () => send(RED1, body(text)),
      () => send(RED2, body(text, { stream: true })),
    ]);
    up.open();
    const all = await Promise.all([first, ...rest]);
    const [lead, s1, json, s2] = await Promise.all(all.map((r) => r.text()));
    expect(up.calls - before).toBe(1);
    expect(all.map((r) => r.headers.get('x-tollgate-cache'))).toEqual(['miss', 'hit', 'hit', 'hit']);
    expect(streamText(lead!).length).toBeGreaterThan(0);
    expect(streamText(s1!)).toBe(streamText(lead!));
    expect(streamText(s2!)).toBe(streamText(lead!));
    expect(s1).toContain('data: [DONE]');
    expect(JSON.parse(json!).choices[0].message.content).toBe(streamText(lead!));
  });

  test('another team\u2019s identical request is not coalesced: it goes upstream itself', async () => {
    const b = body(fresh());
    const before = up.calls;
    up.close();
    const red = send(RED1, b);
    await until('red upstream', () => up.calls === before + 1);
    const blue = send(BLUE, b);
    await until('blue upstream', () => up.calls === before + 2);
    up.open();
    const [r, bl] = await Promise.all([red, blue]);
    await Promise.all([r.text(), bl.text()]);
    expect([r.headers.get('x-tollgate-cache'), bl.headers.get('x-tollgate-cache')]).toEqual(['miss', 'miss']);
  });

  test('the leader fails: each follower goes upstream itself and gets its answer', async () => {
    const b = body(fresh());
    const before = up.calls;
    up.failNext = 1;
    const { first, rest } = await leaderThenFollowers(() => send(RED1, b), [RED2, RED1, RED2].map((k) => () => send(k, b)));
    up.open();
    const all = await Promise.all([first, ...rest]);
    const texts = await Promise.all(all.map((r) => r.text()));
    expect(all.map((r) => r.status)).toEqual([502, 200, 200, 200]);
    expect(all.slice(1).map((r) => r.headers.get('x-tollgate-cache'))).toEqual(['miss', 'miss', 'miss']);
    for (const t of texts.slice(1)) expect(JSON.parse(t).choices[0].finish_reason).toBe('stop');
    expect(up.calls - before).toBe(4);
  });

  test('the leader\u2019s client leaves while it is upstream: the call runs on for the followers, who are served it as hits', async () => {
    const b = body(fresh());
    const ctl = new AbortController();
    const before = up.calls;
    const { first, rest } = await leaderThenFollowers(() => send(RED1, b, ctl.signal), [RED2, RED1].map((k) => () => send(k, b)));
    ctl.abort();
    await first.catch(() => undefined);
    await Bun.sleep(50);
    up.open();
    const all = await Promise.all(rest);
    const texts = await Promise.all(all.map((r) => r.text()));
    expect(all.map((r) => [r.status, r.headers.get('x-tollgate-cache'), r.headers.get('x-tollgate-cache-coalesced')])).toEqual([
      [200, 'hit', '1'],
      [200, 'hit', '1'],
    ]);
    for (const t of texts) expect(JSON.parse(t).choices[0].finish_reason).toBe('stop');
    expect(up.calls - before).toBe(1);
  });

  test('a leader\u2019s client leaving with nobody waiting still cuts its upstream call (nothing is stored)', async () => {
    const b = body(fresh());
    const ctl = new AbortController();
    up.close();
    const before = up.calls;
    const first = send(RED1, b, ctl.signal);
    await until('the leader upstream', () => up.calls === before + 1);
    ctl.abort();
    await first.catch(() => undefined);
    await Bun.sleep(50);
    up.open();
    await Bun.sleep(100);
    const again = await send(RED2, b);
    await again.text();
    expect(again.headers.get('x-tollgate-cache')).toBe('miss');
  });

  test('a streaming leader\u2019s client cancels mid-stream: the followers still get whole answers', async () => {
    const b = { ...body(fresh(), { stream: true }), model: 'slow' };
    const ctl = new AbortController();
    const before = up.calls;
    const lead = await send(RED1, b, ctl.signal);
    const reader = lead.body!.getReader();
    await reader.read();
    const rest = [RED2, RED1].map((k) => send(k, b));
    await until('the followers waiting', async () => (await waiting()) === 2);
    ctl.abort();
    await reader.cancel().catch(() => {});
    const all = await Promise.all(rest);
    const texts = await Promise.all(all.map((r) => r.text()));
    for (const t of texts) {
      expect(t).toContain('data: [DONE]');
      expect(streamText(t).length).toBeGreaterThan(0);
    }
    // The cut leader's answer was not kept; each follower asked upstream.
    expect(up.calls - before).toBe(3);
  });

  test('rate limits keep counting: with rpm 3, two of five identical requests are refused, the admitted followers are hits', async () => {
    const b = { ...body(fresh()), model: 'r-chat' };
    const { first, rest } = await leaderThenFollowers(() => send(RED1, b), [1, 2, 3, 4].map(() => () => send(RED1, b)), 2);
    up.open();
    const all = await Promise.all([first, ...rest]);
    await Promise.all(all.map((r) => r.text()));
    expect(all.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429]);
    expect(all.filter((r) => r.status === 200).map((r) => r.headers.get('x-tollgate-cache'))).toEqual(['miss', 'hit', 'hit']);
  });
});

test('coalesce_wait_ms: 0 turns coalescing off: an identical miss in flight does not hold the next one back', async () => {
  const other = await gatewayOn(join(dir, 'other.sqlite'), { cache: { coalesce_wait_ms: 0 } });
  try {
    const b = JSON.stringify(body(fresh()));
    const at = (k: string) => fetch(`${other.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${k}` }, body: b });
    up.close();
    const before = up.calls;
    const first = at(RED1);
    await until('the first upstream', () => up.calls === before + 1);
    const second = at(RED2);
    await until('the second upstream', () => up.calls === before + 2);
    up.open();
    const all = await Promise.all([first, second]);
    await Promise.all(all.map((r) => r.text()));
    expect(all.map((r) => r.headers.get('x-tollgate-cache'))).toEqual(['miss', 'miss']);
  } finally {
    await other.stop();
  }
});
