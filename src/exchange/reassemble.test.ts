import { expect, test } from 'bun:test';
import { chunkEvents } from '../../test/support/recorded.ts';
import { streamReassembler } from './reassemble.ts';

test('recorded Anthropic stream (code execution): text blocks are their deltas joined, tool inputs parsed, stop reason and usage from message_delta', () => {
  const events = chunkEvents('anthropic', 'vercel-ai_anthropic_anthropic-code-execution-20250825.1.chunks.txt');
  const r = streamReassembler('anthropic', 1_000_000);
  for (const e of events) r.see(e);
  const { value, truncated } = r.result();
  const m = value as { id: string; content: Record<string, unknown>[]; stop_reason: string; usage: { output_tokens: number } };
  expect(truncated).toBe(false);
  const start = events.find((e) => (e.data as { type: string }).type === 'message_start')!.data as { message: { id: string } };
  expect(m.id).toBe(start.message.id);
  const deltas = new Map<number, string>();
  let lastDelta: { delta: { stop_reason: string }; usage: { output_tokens: number } } | undefined;
  for (const e of events) {
    const d = e.data as { type: string; index: number; delta?: { type: string; text?: string }; usage?: { output_tokens: number } };
    if (d.type === 'content_block_delta' && d.delta?.type === 'text_delta') deltas.set(d.index, (deltas.get(d.index) ?? '') + d.delta.text);
    if (d.type === 'message_delta') lastDelta = d as unknown as typeof lastDelta;
  }
  expect(deltas.size).toBeGreaterThan(0);
  for (const [i, text] of deltas) expect(m.content[i]!.text).toBe(text);
  const tools = m.content.filter((b) => String(b.type).endsWith('tool_use'));
  expect(tools.length).toBeGreaterThan(0);
  for (const t of tools) {
    expect(typeof t.input).toBe('object');
    expect(t.partial_json).toBeUndefined();
  }
  expect(m.stop_reason).toBe(lastDelta!.delta.stop_reason);
  expect(m.usage.output_tokens).toBe(lastDelta!.usage.output_tokens);
});

test('OpenAI chat chunks: content and tool-call arguments merged by index, usage from the last chunk', () => {
  const r = streamReassembler('openai', 1_000_000);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({ data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices, ...extra } });
  r.see(chunk([{ index: 0, delta: { role: 'assistant', content: 'Hel' } }]));
  r.see(chunk([{ index: 0, delta: { content: 'lo' } }]));
  r.see(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_', arguments: '{"ci' } }] } }]));
  r.see(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'weather', arguments: 'ty":"Paris"}' } }, { index: 1, id: 'call_b', type: 'function', function: { name: 'now', arguments: '{}' } }] } }]));
  r.see(chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]));
  r.see(chunk([], { usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } }));
  expect(r.result()).toEqual({
    truncated: false,
    lossy: false,
    value: {
      id: 'c1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hello',
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_b', type: 'function', function: { name: 'now', arguments: '{}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    },
  });
});

test('the text kept is bounded: past maxChars the rest is dropped and the result says truncated', () => {
  const r = streamReassembler('openai', 10);
  for (let i = 0; i < 100; i++) r.see({ data: { id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'abcdef' } }] } });
  const { value, truncated } = r.result() as { value: { choices: { message: { content: string } }[] }; truncated: boolean };
  expect(truncated).toBe(true);
  expect(value.choices[0]!.message.content).toBe('abcdefabcd');
});

test('Responses streams keep the terminal event’s response object', () => {
  const r = streamReassembler('responses', 1000);
  r.see({ event: 'response.created', data: { type: 'response.created', response: { id: 'resp_1', status: 'in_progress' } } });
  r.see({ event: 'response.output_text.delta', data: { type: 'response.output_text.delta', delta: 'hi' } });
  r.see({ event: 'response.completed', data: { type: 'response.completed', response: { id: 'resp_1', status: 'completed', output: [{ type: 'message' }] } } });
  expect(r.result()).toEqual({ truncated: false, lossy: false, value: { id: 'resp_1', status: 'completed', output: [{ type: 'message' }] } });
});

test('a streamed refusal is rebuilt as the message refusal; logprobs and citations mark the rebuild lossy', () => {
  const r = streamReassembler('openai', 1000);
  const chunk = (choices: unknown[]) => ({ data: { id: 'c2', object: 'chat.completion.chunk', created: 1, model: 'm', choices } });
  r.see(chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null } }]));
  r.see(chunk([{ index: 0, delta: { refusal: "I can't help" } }]));
  r.see(chunk([{ index: 0, delta: { refusal: ' with that.' }, finish_reason: 'stop' }]));
  const out = r.result();
  expect(out.lossy).toBe(false);
  expect((out.value as { choices: { message: unknown }[] }).choices[0]!.message).toEqual({ role: 'assistant', content: null, refusal: "I can't help with that." });

  const withLogprobs = streamReassembler('openai', 1000);
  withLogprobs.see(chunk([{ index: 0, delta: { content: 'hi' }, logprobs: { content: [{ token: 'hi', logprob: -0.1, bytes: [104], top_logprobs: [] }] }, finish_reason: 'stop' }]));
  expect(withLogprobs.result().lossy).toBe(true);

  const cited = streamReassembler('anthropic', 1000);
  cited.see({ data: { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], usage: { input_tokens: 1, output_tokens: 0 } } } });
  cited.see({ data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } });
  cited.see({ data: { type: 'content_block_delta', index: 0, delta: { type: 'citations_delta', citation: { type: 'char_location', cited_text: 'x' } } } });
  cited.see({ data: { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } } });
  expect(cited.result().lossy).toBe(true);
});
