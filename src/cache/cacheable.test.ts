import { expect, test } from 'bun:test';
import { cacheableAnswer } from './cacheable.ts';

const chat = (finish: unknown, message: Record<string, unknown> = { role: 'assistant', content: 'x' }) => ({ object: 'chat.completion', choices: [{ index: 0, message, finish_reason: finish }] });

test('chat: stop and tool_calls are stored; length, content_filter, a refusal, no finish or no choices are not', () => {
  expect(cacheableAnswer('chat.completions', chat('stop'))).toBe(true);
  expect(cacheableAnswer('chat.completions', chat('tool_calls'))).toBe(true);
  for (const f of ['length', 'content_filter', null, 'function_call']) expect(cacheableAnswer('chat.completions', chat(f))).toBe(false);
  expect(cacheableAnswer('chat.completions', chat('stop', { role: 'assistant', content: null, refusal: 'I cannot help with that.' }))).toBe(false);
  expect(cacheableAnswer('chat.completions', { choices: [] })).toBe(false);
  // n = 2: one truncated choice spoils the answer.
  expect(cacheableAnswer('chat.completions', { choices: [chat('stop').choices[0], { ...chat('length').choices[0], index: 1 }] })).toBe(false);
});

test('messages: end_turn, stop_sequence and tool_use are stored; max_tokens, refusal, pause_turn are not', () => {
  const m = (stop: string) => ({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'x' }], stop_reason: stop });
  for (const s of ['end_turn', 'stop_sequence', 'tool_use']) expect(cacheableAnswer('messages', m(s))).toBe(true);
  for (const s of ['max_tokens', 'refusal', 'pause_turn', 'model_context_window_exceeded']) expect(cacheableAnswer('messages', m(s))).toBe(false);
  expect(cacheableAnswer('messages', { type: 'error', error: { type: 'overloaded_error' } })).toBe(false);
});

test('responses: completed without a refusal part is stored; incomplete, failed or a refusal is not', () => {
  const r = (status: string, content: unknown[] = [{ type: 'output_text', text: 'x' }]) => ({ object: 'response', status, output: [{ type: 'message', role: 'assistant', content }] });
  expect(cacheableAnswer('responses', r('completed'))).toBe(true);
  for (const s of ['incomplete', 'failed', 'in_progress', 'cancelled']) expect(cacheableAnswer('responses', r(s))).toBe(false);
  expect(cacheableAnswer('responses', r('completed', [{ type: 'refusal', refusal: 'no' }]))).toBe(false);
  expect(cacheableAnswer('responses', undefined)).toBe(false);
});
