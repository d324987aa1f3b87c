import { expect, test } from 'bun:test';
import { completionsToChat } from './completions-chat.ts';
import { DONE } from './types.ts';
import type { OpenAICompletionsRequest } from '../wire/completions.ts';

const ctx = { model: 'claude-up', publicModel: 'claude', clientHeaders: new Headers() };
const req = (body: Partial<OpenAICompletionsRequest>) => completionsToChat('anthropic').request({ model: 'claude', prompt: 'hi', ...body } as OpenAICompletionsRequest, ctx);
type Json = Record<string, unknown>;

test('the prompt becomes one user message; sampling parameters go on; max_tokens is 16 when unset', () => {
  const call = req({ temperature: 0.2, stop: ['\n'], seed: 1, user: 'u' });
  expect(call).toEqual({ op: 'chat', stream: false, body: { model: 'claude-up', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16, temperature: 0.2, stop: ['\n'], seed: 1, user: 'u' } });
  expect(req({ max_tokens: 99, stream: true }).body).toMatchObject({ max_tokens: 99, stream: true, stream_options: { include_usage: true } });
});

test('chat-only parameters are refused by name instead of reaching a chat translator unchecked', () => {
  for (const [k, v] of [['tools', -5], ['tool_choice', 9], ['messages', []], ['response_format', { type: 'json_object' }]] as const) {
    expect(() => req({ [k]: v } as Partial<OpenAICompletionsRequest>)).toThrow(expect.objectContaining({ param: k, status: 400 }));
  }
});

test('max_tokens 0 (scoring a prompt) is refused naming max_tokens: chat always generates', () => {
  expect(() => req({ max_tokens: 0 })).toThrow(expect.objectContaining({ param: 'max_tokens', status: 400 }));
});

test('harmless values of the refused parameters are accepted: echo false, best_of 1, an empty suffix', () => {
  expect(req({ echo: false, best_of: 1, suffix: '', logprobs: null }).body).toMatchObject({ messages: [{ role: 'user', content: 'hi' }] });
});

test('a chat answer comes back as a text completion, every choice with its finish reason', () => {
  const t = completionsToChat('gemini');
  t.request({ model: 'g', prompt: 'hi', n: 2 }, ctx);
  const out = t.response({ id: 'chatcmpl-9', object: 'chat.completion', created: 5, model: 'g', choices: [0, 1].map((index) => ({ index, message: { role: 'assistant', content: `c${index}` }, finish_reason: index ? 'length' : 'stop' })), usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, prompt_tokens_details: { cached_tokens: 0 } } });
  expect(out).toEqual({ id: 'cmpl-9', object: 'text_completion', created: 5, model: 'g', choices: [{ text: 'c0', index: 0, logprobs: null, finish_reason: 'stop' }, { text: 'c1', index: 1, logprobs: null, finish_reason: 'length' }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } });
});

test('stream chunks are reshaped: the role-only chunk goes, the usage chunk only when asked, [DONE] stays', () => {
  const chunk = (choices: Json[], usage?: Json) => ({ data: { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices, ...(usage ? { usage } : {}) } });
  const events = [chunk([{ index: 0, delta: { role: 'assistant', content: '' } }]), chunk([{ index: 0, delta: { content: 'Hi' } }]), chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]), chunk([], { prompt_tokens: 1, completion_tokens: 1 }), { data: DONE }];
  for (const include_usage of [true, false]) {
    const t = completionsToChat('bedrock');
    t.request({ model: 'm', prompt: 'hi', stream: true, stream_options: { include_usage } }, ctx);
    const out = events.flatMap((e) => t.streamEvent(e)).map((e) => e.data);
    expect(out.at(-1)).toBe(DONE);
    const data = out.slice(0, -1) as Json[];
    expect(data.map((d) => d.choices)).toEqual([[{ text: 'Hi', index: 0, logprobs: null, finish_reason: null }], [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }], ...(include_usage ? [[]] : [])]);
    expect(data.every((d) => d.object === 'text_completion' && d.id === 'cmpl-1')).toBe(true);
    if (include_usage) expect(data.at(-1)!.usage).toEqual({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 });
  }
});
