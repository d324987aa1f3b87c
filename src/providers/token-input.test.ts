import { expect, test } from 'bun:test';
import { encode } from 'gpt-tokenizer/encoding/cl100k_base';
import { GatewayError } from '../lib/errors.ts';
import { inputCount, textInputs } from './token-input.ts';

test('token ids are read back as cl100k_base text', () => {
  expect(textInputs([encode('hello world'), encode('second')], 'gemini')).toEqual(['hello world', 'second']);
});

test('ids cl100k_base leaves unassigned inside its range are a 400 naming the input, not a 500', () => {
  for (const id of [100256, 100261, 100275]) {
    let err: unknown;
    try {
      textInputs([encode('ok'), [id]], 'gemini');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(400);
    expect((err as GatewayError).param).toBe('input[1]');
  }
});

test('inputs are counted without decoding', () => {
  expect([inputCount('a'), inputCount([1, 2, 3]), inputCount(['a', 'b']), inputCount([[1], [2], [3]])]).toEqual([1, 1, 2, 3]);
});
