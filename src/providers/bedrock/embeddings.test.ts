import { describe, expect, test } from 'bun:test';
import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIEmbeddingsRequest } from '../../wire/openai.ts';
import { cassette } from '../../../test/mocks/bedrock-fixtures.ts';
import { bedrockEmbeddings } from './embeddings.ts';

const TITAN = 'pydantic-ai_test_embeddings_TestBedrock.test_titan_v2_with_dimensions.yaml';
const COHERE = 'pydantic-ai_test_embeddings_TestBedrock.test_cohere_v4_with_dimensions.yaml';
const NOVA = 'pydantic-ai_test_embeddings_TestBedrock.test_nova_with_dimensions.yaml';

const ctxFor = (model: string) => ({ model, publicModel: 'embed', clientHeaders: new Headers() });
type Result = { object: string; model: string; data: { object: string; index: number; embedding: number[] | string }[]; usage: { prompt_tokens: number; total_tokens: number } };

function call(model: string, body: Partial<OpenAIEmbeddingsRequest> & Record<string, unknown>) {
  const t = bedrockEmbeddings('bedrock');
  const up = t.request({ model: 'embed', input: 'x', ...body } as OpenAIEmbeddingsRequest, ctxFor(model));
  return { t, up };
}

function rejected(model: string, body: Partial<OpenAIEmbeddingsRequest> & Record<string, unknown>): GatewayError {
  try {
    call(model, body);
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('bedrockEmbeddings', () => {
  test('Titan v2: reproduces the recorded InvokeModel body and reads the recorded response', () => {
    const [it] = cassette(TITAN);
    const { t, up } = call('amazon.titan-embed-text-v2:0', { input: 'Test embedding dimensions', dimensions: 256 });
    expect(up).toEqual({ op: 'embeddings', stream: false, body: it!.requestBody });
    const res = t.response(it!.json) as Result;
    const recorded = (it!.json as { embedding: number[] }).embedding;
    expect(res.object).toBe('list');
    expect(res.model).toBe('embed');
    expect(res.data).toHaveLength(1);
    expect(res.data[0]).toEqual({ object: 'embedding', index: 0, embedding: recorded });
    expect(recorded).toHaveLength(256);
    expect(res.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
    expect(t.usage()).toMatchObject({ input_tokens: 4, output_tokens: 0 });
  });

  test('Cohere v4: batches, maps dimensions to output_dimension, reads embeddings.float', () => {
    const [it] = cassette(COHERE);
    const { t, up } = call('cohere.embed-v4:0', { input: ['Test dimensions setting'], dimensions: 512 });
    expect(up.body).toEqual({ texts: ['Test dimensions setting'], input_type: 'search_document', output_dimension: 512 });
    // The recording asked for search_query; the rest of the body is the same.
    expect(it!.requestBody).toMatchObject({ texts: ['Test dimensions setting'], output_dimension: 512 });
    const res = t.response(it!.json) as Result;
    expect(res.data[0]!.embedding).toEqual((it!.json as { embeddings: { float: number[][] } }).embeddings.float[0]!);
    expect(res.data[0]!.embedding).toHaveLength(512);
    // Bedrock reports Cohere's token count only in a response header, not the body.
    expect(res.usage).toEqual({ prompt_tokens: 0, total_tokens: 0 });
  });

  test('Cohere v3 answers a plain list of vectors, one per input, in order', () => {
    const { t, up } = call('us.cohere.embed-english-v3', { input: ['a', 'b'] });
    expect(up.body).toEqual({ texts: ['a', 'b'], input_type: 'search_document' });
    const res = t.response({ embeddings: [[0.1, 0.2], [0.3, 0.4]], id: 'x', response_type: 'embeddings_floats', texts: ['a', 'b'] }) as Result;
    expect(res.data.map((d) => [d.index, d.embedding])).toEqual([[0, [0.1, 0.2]], [1, [0.3, 0.4]]]);
  });

  test('base64 encoding is float32 little-endian, as OpenAI sends it', () => {
    const [it] = cassette(TITAN);
    const { t } = call('amazon.titan-embed-text-v2:0', { input: 'Test embedding dimensions', encoding_format: 'base64' });
    const b64 = (t.response(it!.json) as Result).data[0]!.embedding as string;
    const bytes = Buffer.from(b64, 'base64');
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    const recorded = (it!.json as { embedding: number[] }).embedding;
    expect(floats.length).toBe(256);
    expect(Array.from(floats).every((x, i) => Math.abs(x - recorded[i]!) < 1e-6)).toBe(true);
  });

  test('Titan v1 takes only inputText', () => {
    expect(call('amazon.titan-embed-text-v1', { input: ['hello'] }).up.body).toEqual({ inputText: 'hello' });
    expect(rejected('amazon.titan-embed-text-v1', { dimensions: 256 }).param).toBe('dimensions');
  });

  test('rejects what InvokeModel cannot do, naming the parameter', () => {
    expect(rejected('amazon.titan-embed-text-v2:0', { input: Array(257).fill('x') }).param).toBe('input');
    expect(rejected('amazon.titan-embed-text-v2:0', { input: [-1] }).param).toBe('input');
    expect(rejected('cohere.embed-english-v3', { dimensions: 256 }).param).toBe('dimensions');
    expect(rejected('cohere.embed-v4:0', { input: Array(97).fill('x') }).param).toBe('input');
    expect(rejected('amazon.titan-embed-text-v2:0', { user: 'u1' }).param).toBe('user');
    const nova = cassette(NOVA)[0]!;
    const e = rejected(decodeURIComponent(nova.uri.split('/model/')[1]!.split('/')[0]!), {});
    expect([e.kind, e.param]).toEqual(['invalid_request', 'model']);
  });

  test('a malformed response is upstream_invalid', () => {
    const { t } = call('amazon.titan-embed-text-v2:0', {});
    expect(() => t.response({ embedding: 'nope' })).toThrow(GatewayError);
    const c = call('cohere.embed-v4:0', {}).t;
    expect(() => c.response({ embeddings: { int8: [[1]] } })).toThrow('unexpected shape');
  });

  test('upstream errors keep the message', () => {
    const e = bedrockEmbeddings('bedrock').error(400, '{"message":"Malformed input request: #: extraneous key [normalize] is not permitted"}');
    expect([e.kind, e.message]).toEqual(['invalid_request', 'bedrock returned 400: Malformed input request: #: extraneous key [normalize] is not permitted']);
  });
});

describe('Titan with several inputs', () => {
  test('fans out to one call per input and answers in order with usage summed', () => {
    const { t, up } = call('amazon.titan-embed-text-v2:0', { input: ['first text', 'second text', 'third'], dimensions: 256 });
    expect(up.parts).toEqual(['first text', 'second text', 'third'].map((inputText) => ({ inputText, normalize: true, dimensions: 256 })));
    const out = t.response({ parts: [1, 2, 3].map((k) => ({ embedding: [k, 0], inputTextTokenCount: k + 1 })) }) as Result;
    expect(out.data.map((d) => [d.index, d.embedding])).toEqual([[0, [1, 0]], [1, [2, 0]], [2, [3, 0]]]);
    expect(out.usage).toEqual({ prompt_tokens: 9, total_tokens: 9 });
    expect(call('amazon.titan-embed-text-v2:0', { input: ['one'] }).up.parts).toBeUndefined();
  });

  test('token-id input is read as cl100k_base text', () => {
    expect(call('amazon.titan-embed-text-v2:0', { input: [[9906, 1917]] }).up.body).toEqual({ inputText: 'Hello world', normalize: true });
  });
});
