import { describe, expect, test } from 'bun:test';
import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIEmbeddingsRequest } from '../../wire/openai.ts';
import { geminiEmbeddings } from './embeddings.ts';
import { cassette, fixtureJson, type GEmbedRequest, type GEmbedResponse, type OAEmbeddings } from '../../../test/support/gemini-fixtures.ts';

const ctx = (model = 'gemini-embedding-2-preview') => ({ model, publicModel: 'my-embed', clientHeaders: new Headers() });
const request = (req: Partial<OpenAIEmbeddingsRequest> & Record<string, unknown>, model?: string) => {
  const t = geminiEmbeddings('gemini');
  const call = t.request({ model: 'my-embed', input: 'Hello, world!', ...req } as OpenAIEmbeddingsRequest, ctx(model));
  return { t, call, body: call.body as GEmbedRequest };
};

describe('geminiEmbeddings', () => {
  const recorded = cassette('pydantic-ai_test_embeddings_TestGoogle.test_query_with_dimensions.yaml')[0]!;

  test('the request is what pydantic-ai sent to batchEmbedContents (bar its taskType)', () => {
    const { call, body } = request({ dimensions: 768 });
    expect(call).toMatchObject({ op: 'embeddings', stream: false });
    const { taskType: _, ...sent } = (recorded.request.parsed_body as unknown as GEmbedRequest & { requests: { taskType?: string }[] }).requests[0]!;
    expect(body.requests).toEqual([sent]);
  });

  test('the recorded answer becomes an OpenAI list with the same vector', () => {
    const { t } = request({ dimensions: 768 });
    const values = (recorded.response.parsed_body as GEmbedResponse).embeddings[0]!.values;
    const out = t.response(recorded.response.parsed_body) as OAEmbeddings;
    expect(out).toMatchObject({ object: 'list', model: 'my-embed', data: [{ object: 'embedding', index: 0 }] });
    expect(out.data[0].embedding).toHaveLength(768);
    expect(out.data[0].embedding).toEqual(values);
    // Gemini reports no usage for batchEmbedContents: one token per four characters, estimated.
    expect(out.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
    expect(t.usage()).toEqual({ input_tokens: 4, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 });
  });

  test('base64 is little-endian float32, as OpenAI sends it', () => {
    const { t } = request({ encoding_format: 'base64', dimensions: 768 });
    const values = (recorded.response.parsed_body as GEmbedResponse).embeddings[0]!.values;
    const out = t.response(recorded.response.parsed_body) as OAEmbeddings;
    const bytes = Buffer.from(out.data[0].embedding as string, 'base64');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
    expect(decoded).toEqual(values.map((v) => Math.fround(v)));
  });

  test('several inputs, one request each, indexed in order', () => {
    const { t, body } = request({ input: ['a', 'bb', 'ccccc'] }, 'models/gemini-embedding-001');
    expect(body.requests.map((r) => [r.model, r.content.parts[0]!.text])).toEqual([
      ['models/gemini-embedding-001', 'a'],
      ['models/gemini-embedding-001', 'bb'],
      ['models/gemini-embedding-001', 'ccccc'],
    ]);
    expect(body.requests[0].outputDimensionality).toBeUndefined();
    const out = t.response({ embeddings: [{ values: [1] }, { values: [2] }, { values: [3] }] }) as OAEmbeddings;
    expect(out.data.map((d) => [d.index, d.embedding])).toEqual([[0, [1]], [1, [2]], [2, [3]]]);
    expect(out.usage.prompt_tokens).toBe(4);
  });

  test('token ids are read back as cl100k_base text (what langchain-openai sends); ids outside it and unknown parameters are a 400', () => {
    // "Hello world" and "second text" in cl100k_base, as tiktoken encodes them.
    const sent = request({ input: [[9906, 1917], [5686, 1495]] }).body as { requests: { content: { parts: { text: string }[] } }[] };
    expect(sent.requests.map((r) => r.content.parts[0]!.text)).toEqual(['Hello world', 'second text']);
    expect((request({ input: [9906, 1917] }).body as { requests: unknown[] }).requests).toHaveLength(1);
    expect(() => request({ input: [[1, 200000]] })).toThrow(expect.objectContaining({ kind: 'invalid_request', param: 'input[0]', message: expect.stringContaining('200000 is not one') }) as unknown as Error);
    expect(() => request({ task: 'query' })).toThrow(expect.objectContaining({ param: 'task' }) as unknown as Error);
    expect(JSON.stringify(request({ user: 'u-1' }).body)).not.toContain('u-1');
  });

  test('answers of the wrong shape are upstream_invalid (the Vertex :predict shape included)', () => {
    const { t } = request({ input: ['a', 'b'] });
    for (const bad of [fixtureJson('vercel-ai_google-vertex_google-vertex-embedding.json'), { embeddings: [{ values: [1] }] }, { embeddings: [{}, {}] }, null]) {
      expect(() => t.response(bad)).toThrow(expect.objectContaining({ kind: 'upstream_invalid' }) as unknown as Error);
    }
  });

  test('the recorded unknown-model error is not_found', () => {
    const res = cassette('pydantic-ai_test_embeddings_TestGoogle.test_embed_error.yaml')[0]!.response;
    const err = request({}).t.error(res.status.code, JSON.stringify(res.parsed_body));
    expect(err).toBeInstanceOf(GatewayError);
    expect([err.kind, err.code]).toEqual(['not_found', 'NOT_FOUND']);
    expect(err.message).toContain('models/nonexistent-model is not found');
  });
});
