import { describe, expect, test } from 'bun:test';
import { GatewayError } from '../lib/errors.ts';
import { classify, errorClass } from './classify.ts';
import { scrub } from './route-error.ts';

const err = (message: string, code?: string) => new GatewayError('invalid_request', message, { code });
const status = (s: number, e = err('x')) => classify({ kind: 'status', status: s, error: e });

describe('what the router does after a failure', () => {
  test('transient failures are retried; 429 does not count against the deployment', () => {
    for (const s of [500, 502, 503, 504, 529]) expect(status(s)).toEqual({ action: 'retry', breaker: true });
    expect(status(429)).toEqual({ action: 'retry', breaker: false });
    expect(classify({ kind: 'network', error: err('reset') })).toEqual({ action: 'retry', breaker: true });
  });

  test('a timeout moves on to another target first', () => {
    expect(classify({ kind: 'timeout', error: err('slow') })).toEqual({ action: 'next', breaker: true });
  });

  test('400, 401, 403 and 404 are never retried', () => {
    expect(status(400).action).toBe('stop');
    expect(status(401).action).toBe('key');
    expect(status(403).action).toBe('key');
    expect(status(404).action).toBe('next');
  });

  test('context-length and content-policy refusals are told apart by code, then by message', () => {
    expect(status(400, err('too long', 'context_length_exceeded')).action).toBe('context_length');
    expect(status(400, err("anthropic returned 400: prompt is too long: 210000 tokens > 200000 maximum")).action).toBe('context_length');
    expect(status(400, err('x', 'content_filter')).action).toBe('content_policy');
    expect(errorClass(err("azure returned 400: The response was filtered due to the prompt triggering Azure OpenAI's content management policy."))).toBe('content_policy');
    expect(errorClass(err('messages: field required'))).toBeUndefined();
  });
});

describe('error messages carry no credentials', () => {
  test('configured secrets and token-shaped strings are removed', () => {
    const text = 'openai returned 401: Incorrect API key provided: sk-proj-abcdef123456. Authorization: Bearer abc.def; key AIzaSyD-0123456789abcdef and zzsecretzz';
    const out = scrub(text, ['zzsecretzz']);
    expect(out).not.toContain('sk-proj');
    expect(out).not.toContain('Bearer abc');
    expect(out).not.toContain('AIza');
    expect(out).not.toContain('zzsecretzz');
    expect(out).toContain('openai returned 401');
  });
});
