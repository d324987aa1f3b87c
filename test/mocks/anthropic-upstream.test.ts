import { afterAll, expect, test } from 'bun:test';
import { cassette, sseTextEvents } from '../support/recorded.ts';
import { startAnthropicUpstream } from './anthropic-upstream.ts';

// The mock's new fields checked against recorded api.anthropic.com traffic: thinking blocks
// (JSON and stream), output_config.format, and system turns inside messages.
type Json = Record<string, unknown>;
const KEY = 'test-anthropic-key';
const up = startAnthropicUpstream({ apiKey: KEY });
afterAll(() => up.stop());

const post = (body: Json, headers: Record<string, string> = {}) =>
  fetch(`${up.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const ask = (extra: Json) => ({ model: 'claude-sonnet-4-5', max_tokens: 2048, messages: [{ role: 'user', content: 'Hi' }], ...extra });
const keys = (o: unknown) => Object.keys(o as Json).sort();

test('a thinking answer has the recorded shape: a signed thinking block, then the text', async () => {
  const [real] = cassette('anthropic', 'pydantic-ai_test_anthropic_test_anthropic_model_thinking_part.yaml');
  const recorded = real!.response.parsed_body as { content: Json[] };
  const mock = (await (await post(ask({ thinking: { type: 'enabled', budget_tokens: 1024 } }))).json()) as { content: Json[] };
  expect(mock.content.map((b) => b.type)).toEqual(recorded.content.map((b) => b.type));
  expect(keys(mock.content[0])).toEqual(keys(recorded.content[0]));
  expect(typeof mock.content[0]!.signature).toBe('string');
});

test('a thinking stream has the recorded event sequence (thinking deltas, one signature_delta, then text)', async () => {
  const [real] = cassette('anthropic', 'pydantic-ai_test_anthropic_test_anthropic_model_thinking_part_stream.yaml');
  const shape = (events: { data: unknown }[]) => {
    const seq: string[] = [];
    for (const { data } of events) {
      const d = data as Json;
      const kind = d.type === 'content_block_delta' ? `delta:${String((d.delta as Json).type)}@${String(d.index)}` : d.type === 'content_block_start' ? `start:${String((d.content_block as Json).type)}@${String(d.index)}` : String(d.type);
      if (seq.at(-1) !== kind) seq.push(kind);
    }
    return seq;
  };
  const recorded = shape(await sseTextEvents(real!.response.body!.string!));
  const mock = shape(await sseTextEvents(await (await post(ask({ stream: true, thinking: { type: 'enabled', budget_tokens: 1024 } }))).text()));
  expect(mock).toEqual(recorded);
  const start = (await sseTextEvents(real!.response.body!.string!)).find((e) => (e.data as Json).type === 'content_block_start')!.data as Json;
  expect(keys(start.content_block)).toEqual(['signature', 'thinking', 'type']);
});

test('output_config.format answers JSON text; a thinking block sent back unsigned is a 400', async () => {
  const r = (await (await post(ask({ output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false } } } }))).json()) as { content: { text: string }[] };
  expect(JSON.parse(r.content[0]!.text)).toEqual({ ok: true });
  const unsigned = await post(ask({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ type: 'thinking', thinking: 'x' }, { type: 'text', text: 'b' }] }, { role: 'user', content: 'c' }] }));
  expect(unsigned.status).toBe(400);
});

test('a system turn inside messages needs the mid-conversation-system beta', async () => {
  const body = ask({ messages: [{ role: 'user', content: 'a' }, { role: 'system', content: 'terse' }, { role: 'user', content: 'b' }] });
  expect((await post(body)).status).toBe(400);
  expect((await post(body, { 'anthropic-beta': 'mid-conversation-system-2026-04-07' })).status).toBe(200);
});
