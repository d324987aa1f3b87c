import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { ProviderConfig } from '../../config/schema.ts';
import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIChatRequest, OpenAIEmbeddingsRequest } from '../../wire/openai.ts';
import { DONE, type ChatTranslator, type EmbeddingsTranslator, type ProviderAdapter, type StreamEvent } from '../types.ts';
import { startBedrockUpstream } from '../../../test/mocks/bedrock-upstream.ts';
import { byteStream, cassette, collect, reassemble } from '../../../test/mocks/bedrock-fixtures.ts';
import { bedrockAdapter } from './adapter.ts';
import { bedrockEmbeddings } from './embeddings.ts';
import { openaiToBedrock } from './openai-bedrock.ts';

type BedrockConfig = Extract<ProviderConfig, { type: 'bedrock' }>;
const common = { optional: false, data_residency: 'public' as const, headers: {}, timeout_ms: 10_000 };
const config = (extra: Partial<BedrockConfig> = {}): BedrockConfig => ({
  type: 'bedrock',
  region: 'us-east-1',
  access_key_id: 'AKIDEXAMPLE',
  secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  ...common,
  ...extra,
});

describe('bedrockAdapter.prepare', () => {
  test('Converse, ConverseStream and InvokeModel URLs, with the model id as one encoded segment', async () => {
    const a = bedrockAdapter('aws', config());
    const url = async (op: 'chat' | 'embeddings', stream: boolean, model: string) => (await a.prepare({ op, stream, body: {} }, model)).url;
    expect(await url('chat', false, 'us.amazon.nova-micro-v1:0')).toBe('https://bedrock-runtime.us-east-1.amazonaws.com/model/us.amazon.nova-micro-v1%3A0/converse');
    expect(await url('chat', true, 'us.amazon.nova-micro-v1:0')).toBe('https://bedrock-runtime.us-east-1.amazonaws.com/model/us.amazon.nova-micro-v1%3A0/converse-stream');
    expect(await url('embeddings', false, 'amazon.titan-embed-text-v2:0')).toBe('https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke');
    expect(await url('chat', false, 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x')).toBe(
      'https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.x/converse',
    );
    // The recorded SDK requests use the same encoding.
    expect(cassette('pydantic-ai_test_bedrock_test_bedrock_model.yaml')[0]!.uri).toBe('https://bedrock-runtime.us-east-1.amazonaws.com/model/us.amazon.nova-micro-v1%3A0/converse');
    const custom = bedrockAdapter('aws', config({ base_url: 'https://vpce-1.bedrock-runtime.eu-west-1.vpce.amazonaws.com/', region: 'eu-west-1' }));
    expect((await custom.prepare({ op: 'chat', stream: false, body: {} }, 'm')).url).toBe('https://vpce-1.bedrock-runtime.eu-west-1.vpce.amazonaws.com/model/m/converse');
  });

  test('sends the JSON body with exactly the SigV4-signed headers', async () => {
    const a = bedrockAdapter('aws', config({ session_token: 'TOKEN', headers: { 'x-custom': 'yes' } }));
    const p = await a.prepare({ op: 'chat', stream: true, body: { messages: [] } }, 'm');
    expect(p.init.method).toBe('POST');
    expect(p.init.body).toBe('{"messages":[]}');
    const h = p.init.headers;
    expect(h.accept).toBe('application/vnd.amazon.eventstream');
    expect(h['content-type']).toBe('application/json');
    expect(h['x-amz-security-token']).toBe('TOKEN');
    expect(h['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(h.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${h['x-amz-date']!.slice(0, 8)}/us-east-1/bedrock/aws4_request, SignedHeaders=accept;host;x-amz-date;x-amz-security-token;x-custom, Signature=[0-9a-f]{64}$`),
    );
    expect(Object.keys(h).sort()).toEqual(['accept', 'authorization', 'content-type', 'x-amz-date', 'x-amz-security-token', 'x-custom']);
  });
});

describe('bedrock provider against the mock upstream', () => {
  let up: ReturnType<typeof startBedrockUpstream>;
  let adapter: ProviderAdapter;
  beforeAll(() => {
    up = startBedrockUpstream();
    adapter = bedrockAdapter('aws', config({ base_url: up.url, access_key_id: up.credentials.accessKeyId, secret_access_key: up.credentials.secretAccessKey }));
  });
  afterAll(() => up.stop());

  const ctx = (model: string) => ({ model, publicModel: 'public-name', clientHeaders: new Headers() });
  const chat = (extra: Partial<OpenAIChatRequest> = {}): OpenAIChatRequest => ({ model: 'public-name', messages: [{ role: 'user', content: 'Hi' }], ...extra }) as OpenAIChatRequest;
  const weather = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } };

  /** What the router does: translate, prepare, send, decode, translate back. */
  async function send<Req>(t: ChatTranslator<Req>, body: Req, model: string, via = adapter): Promise<unknown> {
    const call = t.request(body, ctx(model));
    const p = await via.prepare(call, model);
    const res = await via.fetch(p.url, p.init);
    if (!res.ok) throw t.error(res.status, await res.text());
    if (!call.stream) return t.response(await res.json());
    const out: StreamEvent[] = [];
    for await (const ev of via.events(res.body!)) out.push(...t.streamEvent(ev));
    return [...out, ...t.streamEnd()];
  }

  /** The GatewayError a request fails with. */
  async function failure(p: Promise<unknown>): Promise<GatewayError> {
    const e = await p.then(() => undefined, (x: unknown) => x);
    if (!(e instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(e)}`);
    return e;
  }

  async function embed(t: EmbeddingsTranslator, body: OpenAIEmbeddingsRequest, model: string): Promise<unknown> {
    const p = await adapter.prepare(t.request(body, ctx(model)), model);
    const res = await adapter.fetch(p.url, p.init);
    if (!res.ok) throw t.error(res.status, await res.text());
    return t.response(await res.json());
  }

  test('non-streaming text answer, and the request the upstream received', async () => {
    const t = openaiToBedrock('aws');
    const res = (await send(t, chat({ messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Hi' }], temperature: 0.3 }), 'us.amazon.nova-micro-v1:0')) as { model: string; choices: { message: { content: string }; finish_reason: string }[] };
    expect(res.model).toBe('public-name');
    expect(res.choices[0]!.message.content).toBe('Hello from bedrock');
    expect(res.choices[0]!.finish_reason).toBe('stop');
    expect(t.usage()).toMatchObject({ input_tokens: 11, output_tokens: 7 });
    const seen = up.requests.at(-1)!;
    expect(seen.path).toBe('/model/us.amazon.nova-micro-v1%3A0/converse');
    expect(seen.body).toEqual({ system: [{ text: 'Be kind.' }], messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { temperature: 0.3 } });
    expect(seen.headers.authorization).toContain(`Credential=${up.credentials.accessKeyId}/`);
  });

  test('streamed text arrives as several deltas, with usage when asked', async () => {
    const out = (await send(openaiToBedrock('aws'), chat({ stream: true, stream_options: { include_usage: true } }), 'nova-lite')) as StreamEvent[];
    const r = reassemble(out);
    expect(r.content).toBe('Hello from bedrock');
    const deltas = out.filter((e) => e.data !== DONE && (e.data as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content);
    expect(deltas.length).toBe(3);
    expect(r.finish).toEqual(['stop']);
    expect(r.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    expect(r.done).toBe(true);
    expect(up.requests.at(-1)!.path).toBe('/model/nova-lite/converse-stream');
  });

  test('a `tool` model calls the first tool, streamed and not', async () => {
    const whole = (await send(openaiToBedrock('aws'), chat({ tools: [weather] }), 'mock-tool')) as { choices: { message: { tool_calls: { function: { name: string; arguments: string } }[] }; finish_reason: string }[] };
    expect(whole.choices[0]!.message.tool_calls[0]!.function).toEqual({ name: 'get_weather', arguments: '{"location":"Paris"}' });
    expect(whole.choices[0]!.finish_reason).toBe('tool_calls');
    const r = reassemble((await send(openaiToBedrock('aws'), chat({ tools: [weather], stream: true }), 'mock-tool')) as StreamEvent[]);
    expect(r.toolCalls.map((c) => [c.name, c.arguments])).toEqual([['get_weather', '{"location":"Paris"}']]);
    expect(r.toolCalls[0]!.id).toMatch(/^tooluse_/);
  });

  test('a `json` model answers {"ok":true}', async () => {
    const res = (await send(openaiToBedrock('aws'), chat({ response_format: { type: 'json_schema', json_schema: { name: 'ok', schema: { type: 'object' } } } }), 'mock-json')) as { choices: { message: { content: string } }[] };
    expect(JSON.parse(res.choices[0]!.message.content)).toEqual({ ok: true });
    expect((up.requests.at(-1)!.body as { outputConfig: unknown }).outputConfig).toEqual({ textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: '{"type":"object"}', name: 'ok' } } } });
  });

  test('a `cut` stream ends without messageStop → upstream_invalid after the partial text', async () => {
    const t = openaiToBedrock('aws');
    const call = t.request(chat({ stream: true }), ctx('mock-cut'));
    const p = await adapter.prepare(call, 'mock-cut');
    const res = await adapter.fetch(p.url, p.init);
    const partial: StreamEvent[] = [];
    for await (const ev of adapter.events(res.body!)) partial.push(...t.streamEvent(ev));
    expect(reassemble(partial).content).toBe('Hello from ');
    const err = await failure(Promise.resolve().then(() => t.streamEnd()));
    expect([err.kind, err.message]).toEqual(['upstream_invalid', 'aws closed the stream before messageStop']);
  });

  test('error-NNN models fail in the AWS error envelope', async () => {
    const e429 = await failure(send(openaiToBedrock('aws'), chat(), 'mock-error-429'));
    expect([e429.kind, e429.message]).toEqual(['rate_limited', 'aws returned 429: Too many requests, please wait before trying again.']);
    const e400 = await failure(send(openaiToBedrock('aws'), chat({ stream: true }), 'mock-error-400'));
    expect([e400.kind, e400.status]).toEqual(['invalid_request', 400]);
    const raw = await fetch(`${up.url}/model/x-error-503/converse`, (await adapter.prepare({ op: 'chat', stream: false, body: {} }, 'x-error-503')).init);
    expect(raw.status).toBe(503);
    expect(raw.headers.get('x-amzn-errortype')).toStartWith('ServiceUnavailableException');
  });

  test('wrong credentials get the real 403 shapes', async () => {
    const badKey = bedrockAdapter('aws', config({ base_url: up.url, access_key_id: 'AKIDWRONGWRONGWRONG0', secret_access_key: up.credentials.secretAccessKey }));
    const p = await badKey.prepare({ op: 'chat', stream: false, body: { messages: [] } }, 'm');
    const res = await badKey.fetch(p.url, p.init);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toStartWith('UnrecognizedClientException');
    expect(await res.json()).toEqual({ message: 'The security token included in the request is invalid.' });

    const badSecret = bedrockAdapter('aws', config({ base_url: up.url, access_key_id: up.credentials.accessKeyId, secret_access_key: 'not-the-secret' }));
    const e = await failure(send(openaiToBedrock('aws'), chat(), 'm', badSecret));
    expect([e.kind, e.status]).toEqual(['upstream_error', 502]);
    expect(up.requests.length).toBeGreaterThan(0);

    // A signed header altered after signing is caught too.
    const ok = await adapter.prepare({ op: 'chat', stream: false, body: {} }, 'm');
    const tampered = await fetch(ok.url, { ...ok.init, headers: { ...ok.init.headers, accept: 'text/plain' } });
    expect(tampered.headers.get('x-amzn-errortype')).toStartWith('InvalidSignatureException');
    const anonymous = await fetch(ok.url, { method: 'POST', body: '{}' });
    expect([anonymous.status, anonymous.headers.get('x-amzn-errortype')?.split(':')[0]]).toEqual([403, 'MissingAuthenticationTokenException']);
  });

  test('embeddings through InvokeModel (Titan and Cohere)', async () => {
    const titan = bedrockEmbeddings('aws');
    const r1 = (await embed(titan, { model: 'e', input: 'hello world', dimensions: 16 }, 'amazon.titan-embed-text-v2:0')) as { data: { embedding: number[] }[]; usage: { prompt_tokens: number } };
    expect(r1.data[0]!.embedding).toHaveLength(16);
    expect(r1.usage.prompt_tokens).toBe(2);
    expect(up.requests.at(-1)!.body).toEqual({ inputText: 'hello world', normalize: true, dimensions: 16 });
    const r2 = (await embed(bedrockEmbeddings('aws'), { model: 'e', input: ['a', 'b', 'c'] }, 'cohere.embed-english-v3')) as { data: { index: number }[] };
    expect(r2.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(up.requests.at(-1)!.path).toBe('/model/cohere.embed-english-v3/invoke');
  });

  test("the mock's stream has the recorded wire's framing and event sequence", async () => {
    const p = await adapter.prepare({ op: 'chat', stream: true, body: { messages: [] } }, 'nova');
    const res = await adapter.fetch(p.url, p.init);
    expect(res.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const mine = await collect(adapter.events(res.body!));
    const recorded = await collect(adapter.events(byteStream(cassette('pydantic-ai_test_bedrock_test_bedrock_model_stream.yaml')[0]!.bytes!)));
    const shape = (evs: StreamEvent[]) => evs.map((e) => e.event).filter((t, i, a) => t !== a[i - 1]);
    expect(shape(mine)).toEqual(shape(recorded));
    expect(mine.every((e) => typeof (e.data as { p?: unknown }).p === 'string')).toBe(true);
    // And the mock's events translate like the recorded ones.
    const tr = openaiToBedrock('aws');
    tr.request(chat({ stream: true }), ctx('nova'));
    const fromMock = reassemble([...mine.flatMap((e) => tr.streamEvent(e)), ...tr.streamEnd()]);
    expect(fromMock.content).toBe('Hello from bedrock');
  });

  test("the mock's Converse JSON has the recorded response's fields", async () => {
    const p = await adapter.prepare({ op: 'chat', stream: false, body: { messages: [] } }, 'nova');
    const mine = (await (await adapter.fetch(p.url, p.init)).json()) as Record<string, unknown>;
    const recorded = cassette('pydantic-ai_test_bedrock_test_bedrock_model.yaml')[0]!.json as Record<string, unknown>;
    expect(Object.keys(mine).sort()).toEqual(Object.keys(recorded).sort());
    expect(Object.keys(mine.usage as object).sort()).toEqual(Object.keys(recorded.usage as object).sort());
  });
});
