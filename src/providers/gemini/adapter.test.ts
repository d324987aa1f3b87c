import { describe, expect, test } from 'bun:test';
import { GatewayError } from '../../lib/errors.ts';
import { geminiAdapter, geminiModelId } from './adapter.ts';
import { cassette, decode, fixtureNames, fixtureText } from '../../../test/support/gemini-fixtures.ts';

const config = (over: Record<string, unknown> = {}) =>
  ({ type: 'gemini', base_url: 'https://generativelanguage.googleapis.com/v1beta', api_key: 'AIza-secret', optional: false, data_residency: 'public', headers: {}, timeout_ms: 1000, ...over }) as Parameters<typeof geminiAdapter>[1];

describe('geminiAdapter.prepare', () => {
  const adapter = geminiAdapter('gem', config());

  test('URLs are the ones the recorded clients called', async () => {
    const recorded = [
      ['pydantic-ai_test_google_test_google_model.yaml', { op: 'chat', stream: false }],
      ['pydantic-ai_test_google_test_google_model_stream.yaml', { op: 'chat', stream: true }],
      ['pydantic-ai_test_embeddings_TestGoogle.test_query_with_dimensions.yaml', { op: 'embeddings', stream: false }],
    ] as const;
    for (const [name, call] of recorded) {
      const uri = cassette(name)[0]!.request.uri;
      const model = /\/models\/([^:]+):/.exec(uri)![1]!;
      const p = await adapter.prepare({ ...call, body: { contents: [] } }, model);
      expect(p.url).toBe(uri);
    }
  });

  test('the key travels in x-goog-api-key, never in the URL, and cannot be overridden', async () => {
    const a = geminiAdapter('gem', config({ headers: { 'x-goog-api-key': 'other', 'x-extra': '1' } }));
    const p = await a.prepare({ op: 'chat', stream: true, body: { contents: [] }, headers: { 'x-goog-api-key': 'caller' } }, 'gemini-2.5-flash');
    expect(p.init.headers['x-goog-api-key']).toBe('AIza-secret');
    expect(p.init.headers['x-extra']).toBe('1');
    expect(p.init.headers.accept).toBe('text/event-stream');
    expect(p.init.headers['content-type']).toBe('application/json');
    expect(p.url).not.toContain('AIza');
    expect(p.url).not.toContain('key=');
    expect(p.init.method).toBe('POST');
    expect(JSON.parse(String(p.init.body))).toEqual({ contents: [] });
  });

  test('base URL: trailing slashes trimmed, a custom one honoured', async () => {
    const a = geminiAdapter('gem', config({ base_url: 'http://127.0.0.1:9999/v1beta/' }));
    expect((await a.prepare({ op: 'chat', stream: false, body: {} }, 'models/gemini-2.0-flash')).url).toBe('http://127.0.0.1:9999/v1beta/models/gemini-2.0-flash:generateContent');
    expect(a.wire).toBe('gemini');
    expect(a.name).toBe('gem');
  });

  test('model ids cannot steer the URL', async () => {
    for (const bad of ['../files', 'gemini/../../x', 'a/b', 'gemini-2.5-flash:streamGenerateContent', 'x?key=1', '%2e%2e', '..', 'models/..', 'gemini 2', '', '-x']) {
      expect(() => geminiModelId(bad)).toThrow(GatewayError);
      await expect(adapter.prepare({ op: 'chat', stream: false, body: {} }, bad)).rejects.toMatchObject({ kind: 'invalid_request', param: 'model' });
    }
    for (const good of ['gemini-2.5-flash', 'gemini-2.5-flash-preview-05-20', 'models/gemini-embedding-001', 'gemma-3-27b-it', 'learnlm-2.0-flash-experimental', 'gemini-1.5-flash-001']) {
      expect(geminiModelId(good)).toBe(good.replace(/^models\//, ''));
    }
  });

  test('fetch goes through the injected transport', async () => {
    const seen: string[] = [];
    const a = geminiAdapter('gem', config(), (async (url: string) => {
      seen.push(url);
      return new Response('{}');
    }) as typeof fetch);
    await a.fetch('https://x/models/m:generateContent', { method: 'POST' });
    expect(seen).toEqual(['https://x/models/m:generateContent']);
  });
});

describe('geminiAdapter.events', () => {
  const events = (text: string) => decode(text);

  test('every recorded SSE stream decodes to the JSON its data lines hold', async () => {
    const streams = fixtureNames().filter((n) => /^firebase.*streaming-success/.test(n));
    expect(streams.length).toBeGreaterThan(20);
    for (const name of streams) {
      const text = fixtureText(name);
      const lines = text.split(/\r?\n/).filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as unknown);
      expect((await events(text)).map((e) => e.data)).toEqual(lines);
    }
  });

  test('a last event with no blank line after it is still delivered (it carries finishReason)', async () => {
    const text = fixtureText('firebase-testdata_googleai_streaming-success-finish-message.txt');
    expect(text.endsWith('\n\n')).toBe(false);
    const out = await events(text);
    expect(out).toHaveLength(2);
    expect(out[1]!.data).toMatchObject({ candidates: [{ finishReason: 'STOP', finishMessage: 'Finished successfully' }] });
  });

  test('a JSON error appended to the stream becomes an error event after the events before it', async () => {
    const out = await events(fixtureText('firebase-testdata_vertexai_streaming-failure-error-mid-stream.txt'));
    expect(out).toHaveLength(3);
    expect(out[2]).toMatchObject({ event: 'error', data: { error: { code: 499, status: 'CANCELLED' } } });
    const whole = await events(fixtureText('firebase-testdata_vertexai_streaming-failure-api-key.txt'));
    expect(whole).toEqual([{ event: 'error', data: expect.objectContaining({ error: expect.objectContaining({ status: 'INVALID_ARGUMENT' }) }) }]);
  });

  test('text that is neither SSE nor an error envelope, or data that is not JSON, is upstream_invalid', async () => {
    await expect(events('data: {"candidates": []}\n\n<html>oops</html>\n')).rejects.toMatchObject({ kind: 'upstream_invalid' });
    await expect(events('[{"candidates": []}]')).rejects.toMatchObject({ kind: 'upstream_invalid' });
    await expect(events('data: {"candidates": [\n\n')).rejects.toMatchObject({ kind: 'upstream_invalid' });
  });

  test('CRLF framing, comments and multi-line data', async () => {
    const out = await events(': keep-alive\r\n\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: {"b":2}\r\n\r\n');
    expect(out.map((e) => e.data)).toEqual([{ a: 1 }, { b: 2 }]);
  });
});
