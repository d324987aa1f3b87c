import { afterAll, expect, test } from 'bun:test';
import { readdirSync } from 'node:fs';
import { cassette, chunkEvents, fixtureDir, readFixture, sseTextEvents } from '../support/recorded.ts';
import { startOpenAIUpstream } from './openai-upstream.ts';
import { responsesToResponses } from '../../src/providers/openai/responses-responses.ts';
import { responsesToOpenAI } from '../../src/providers/openai/responses-openai.ts';
import type { StreamEvent } from '../../src/providers/types.ts';

// The OpenAI mock's /v1/responses against the recorded Responses traffic, and the gateway's
// native path and translator against the same recordings: same event names in the same order,
// same fields on each event and on the response object.
type Json = Record<string, unknown>;
const up = startOpenAIUpstream();
afterAll(() => up.stop());
const ctx = { model: 'gpt-4o', publicModel: 'gpt-4o', clientHeaders: new Headers() };
const keys = (o: unknown) => Object.keys(o as Json).sort();

/** Every recorded Responses stream (cassette SSE bodies and vercel chunk files) with its request. */
async function recordedStreams(): Promise<{ name: string; request: Json; events: StreamEvent[] }[]> {
  const out: { name: string; request: Json; events: StreamEvent[] }[] = [];
  for (const name of readdirSync(fixtureDir('openai')).sort()) {
    if (name.endsWith('.yaml') && name.includes('responses')) {
      for (const [i, it] of cassette('openai', name).entries()) {
        const raw = it.response.body?.string;
        if (it.request.uri?.endsWith('/v1/responses') && it.response.status.code === 200 && raw?.includes('event: response.created')) out.push({ name: `${name}#${i}`, request: it.request.parsed_body ?? {}, events: await sseTextEvents(raw) });
      }
    }
    if (name.startsWith('vercel-ai_openai_responses_') && name.endsWith('.chunks.txt')) {
      let events: StreamEvent[];
      try {
        events = chunkEvents('openai', name);
      } catch {
        continue; // a few vercel chunk files hold pretty-printed (multi-line) events
      }
      out.push({ name, request: {}, events: events.map((e) => ({ event: String((e.data as Json).type), data: e.data })) });
    }
  }
  return out;
}

const RECORDED_STREAM = 'pydantic-ai_test_openai_responses_test_openai_responses_stream.yaml';

async function mockEvents(body: Json): Promise<Json[]> {
  const res = await fetch(`${up.url}/v1/responses`, { method: 'POST', body: JSON.stringify({ stream: true, ...body }) });
  return (await sseTextEvents(await res.text())).map((e) => ({ event: e.event, ...(e.data as Json) }));
}

test("the mock's streams have the recorded event sequence and fields (text and tool call)", async () => {
  const [toolTurn, textTurn] = cassette('openai', RECORDED_STREAM).map((it) => it);
  for (const [it, model] of [[toolTurn!, 'gpt-tool'], [textTurn!, 'gpt-chat']] as const) {
    const recorded: Json[] = (await sseTextEvents(it.response.body!.string!)).map((e) => ({ event: e.event, ...(e.data as Json) }));
    const mock = await mockEvents({ ...(it.request.parsed_body as Json), model });
    const names = (evs: Json[]) => [...new Set(evs.map((e) => e.event))];
    expect(names(mock)).toEqual(names(recorded));
    for (const type of names(recorded)) {
      const r = recorded.find((e) => e.event === type)!;
      const m = mock.find((e) => e.event === type)!;
      // The mock numbers its events (OpenAI does today; this 2025 recording predates sequence_number).
      expect(keys(m).filter((k) => k !== 'sequence_number')).toEqual(keys(r));
      if (r.item) expect(keys(m.item)).toEqual(keys(r.item));
      if (r.response) expect(keys(m.response).filter((k) => k !== 'reasoning')).toEqual(keys(r.response).filter((k) => k !== 'reasoning'));
    }
  }
});

test("the mock's JSON response has the recorded response object's fields", async () => {
  const [it] = cassette('openai', 'pydantic-ai_test_openai_responses_test_openai_responses_model_simple_response.yaml');
  const recorded = it!.response.parsed_body as Json;
  const res = await fetch(`${up.url}/v1/responses`, { method: 'POST', body: JSON.stringify({ ...(it!.request.parsed_body as Json), model: 'gpt-chat' }) });
  const mock = (await res.json()) as Json;
  for (const k of ['id', 'object', 'created_at', 'status', 'output', 'usage', 'model', 'tools', 'text', 'tool_choice', 'incomplete_details', 'error']) expect(mock).toHaveProperty(k);
  expect(keys((mock.output as Json[])[0])).toEqual(keys((recorded.output as Json[])[0]));
  expect(keys(mock.usage)).toEqual(keys(recorded.usage));
});

test('the native path relays every recorded stream event by event and reads usage from the terminal event', async () => {
  const streams = await recordedStreams();
  expect(streams.length).toBeGreaterThan(10);
  for (const s of streams) {
    const t = responsesToResponses('openai');
    t.request({ model: 'gpt-4o', stream: true, ...(s.request as object) }, ctx);
    const out = s.events.flatMap((e) => t.streamEvent(e));
    expect(out.map((e) => (e.data as Json).type)).toEqual(s.events.map((e) => (e.data as Json).type));
    const last = s.events.at(-1)!.data as Json;
    const usage = (last.response as Json | undefined)?.usage as Json | undefined;
    if (usage) {
      expect(() => t.streamEnd()).not.toThrow();
      expect(t.usage().input_tokens).toBe(usage.input_tokens as number);
      expect(t.usage().output_tokens).toBe(usage.output_tokens as number);
      expect(t.usage().reasoning_tokens).toBe(((usage.output_tokens_details as Json).reasoning_tokens as number) ?? 0);
    }
  }
});

test('the native path reads every recorded JSON response (usage with cached and reasoning tokens)', () => {
  let seen = 0;
  for (const name of readdirSync(fixtureDir('openai')).filter((n) => n.startsWith('vercel-ai_openai_responses_') && n.endsWith('.json'))) {
    const body = JSON.parse(readFixture('openai', name)) as Json;
    if (body.object !== 'response') continue;
    const t = responsesToResponses('openai');
    t.request({ model: 'gpt-4o' }, { ...ctx, publicModel: 'public' });
    const out = t.response(body) as Json;
    expect(out.model).toBe('public');
    expect(out.output).toEqual(body.output);
    const u = body.usage as Json;
    expect(t.usage().input_tokens).toBe(u.input_tokens as number);
    expect(t.usage().cached_input_tokens).toBe(((u.input_tokens_details as Json)?.cached_tokens as number) ?? 0);
    seen++;
  }
  expect(seen).toBeGreaterThan(10);
});

test("the translator's stream has the recorded event names, fields and order for a tool call and a text answer", async () => {
  const [toolTurn, textTurn] = cassette('openai', RECORDED_STREAM);
  const chunk = (delta: Json, finish: string | null = null) => ({ data: { id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] } });
  const runs: [typeof toolTurn, StreamEvent[]][] = [
    [toolTurn, [chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_capital', arguments: '' } }] }), chunk({ tool_calls: [{ index: 0, function: { arguments: '{"country":' } }] }), chunk({ tool_calls: [{ index: 0, function: { arguments: '"France"}' } }] }), chunk({}, 'tool_calls')]],
    [textTurn, [chunk({ role: 'assistant', content: 'The capital' }), chunk({ content: ' is Paris.' }), chunk({}, 'stop')]],
  ];
  for (const [it, chunks] of runs) {
    const recorded = (await sseTextEvents(it!.response.body!.string!)).map((e) => e.data as Json);
    const t = responsesToOpenAI('compat');
    t.request({ ...(it!.request.parsed_body as Json), model: 'gpt-4o', stream: true } as never, ctx);
    const out = [...chunks, { data: { id: 'c', choices: [], usage: { prompt_tokens: 5, completion_tokens: 3 } } }].flatMap((e) => t.streamEvent(e));
    out.push(...t.streamEnd());
    const mine = out.map((e) => e.data as Json);
    expect([...new Set(mine.map((e) => e.type))]).toEqual([...new Set(recorded.map((e) => e.type))]);
    for (const type of new Set(recorded.map((e) => e.type))) {
      const r = recorded.find((e) => e.type === type)!;
      const m = mine.find((e) => e.type === type)!;
      expect(keys(m).filter((k) => k !== 'sequence_number' && k !== 'logprobs')).toEqual(keys(r));
      if (r.item) expect(keys(m.item)).toEqual(keys(r.item));
    }
    expect(mine.map((e) => e.sequence_number)).toEqual(mine.map((_, i) => i));
  }
});
