import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { OpenAIChatRequest, OpenAIEmbeddingsRequest } from '../../src/wire/openai.ts';
import { geminiAdapter } from '../../src/providers/gemini/adapter.ts';
import { geminiEmbeddings } from '../../src/providers/gemini/embeddings.ts';
import { openaiToGemini } from '../../src/providers/gemini/openai-gemini.ts';
import { assemble, decode, fixtureJson, fixtureText, replay, type GResponse, type OAChunk, type OACompletion, type OAEmbeddings } from '../support/gemini-fixtures.ts';
import { GEMINI_MOCK_USAGE, startGeminiUpstream, type GeminiUpstream } from './gemini-upstream.ts';

const KEY = 'AIza-test-key';
let up: GeminiUpstream;
beforeAll(() => {
  up = startGeminiUpstream({ apiKey: KEY });
});
afterAll(() => up.stop());

const config = (api_key = KEY) =>
  ({ type: 'gemini', base_url: `${up.url}/v1beta`, api_key, optional: false, data_residency: 'public', headers: {}, timeout_ms: 5000 }) as Parameters<typeof geminiAdapter>[1];

/** One chat call the way the router makes it: translate, prepare, fetch, decode, translate back. */
async function chat(model: string, req: Partial<OpenAIChatRequest> & Record<string, unknown> = {}, key = KEY) {
  const t = openaiToGemini('gemini');
  const adapter = geminiAdapter('gemini', config(key));
  const call = t.request({ model: 'pub', messages: [{ role: 'user', content: 'Hi there' }], ...req } as OpenAIChatRequest, { model, publicModel: 'pub', clientHeaders: new Headers() });
  const p = await adapter.prepare(call, model);
  const res = await adapter.fetch(p.url, p.init);
  if (!res.ok) return { t, status: res.status, error: t.error(res.status, await res.text()) };
  if (!call.stream) return { t, status: res.status, json: t.response(await res.json()) as OACompletion };
  return { t, status: res.status, stream: await replay(t, adapter.events(res.body!)) };
}

describe('gemini mock upstream', () => {
  test('streams "Hello from gemini" as the real API frames it, usage on the last event', async () => {
    const r = await chat('gemini-chat', { stream: true, stream_options: { include_usage: true } });
    const a = assemble(r.stream!.chunks);
    expect([a.content, a.finish, r.stream!.done]).toEqual(['Hello from gemini', 'stop', true]);
    expect(a.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    expect(r.t.usage()).toMatchObject({ input_tokens: 11, output_tokens: 7 });
    const sent = up.requests.at(-1)!;
    expect(sent.path).toBe('/v1beta/models/gemini-chat:streamGenerateContent?alt=sse');
    expect(sent.headers['x-goog-api-key']).toBe(KEY);
    expect(sent.body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi there' }] }] });
  });

  test('the mock and a real recording read the same way', async () => {
    const res = await fetch(`${up.url}/v1beta/models/gemini-chat:streamGenerateContent?alt=sse`, { method: 'POST', headers: { 'x-goog-api-key': KEY }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }) });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const raw = await res.text();
    expect(raw).toMatch(/^data: \{.*\}\r\n\r\ndata: /);
    const mock = (await decode(raw)).map((e) => e.data as GResponse);
    const real = (await decode(fixtureText('firebase-testdata_googleai_streaming-success-basic-reply-short.txt'))).map((e) => e.data as GResponse);
    const shape = (e: GResponse) => ({ top: Object.keys(e).filter((k) => k !== 'responseId').sort(), candidate: Object.keys(e.candidates![0]!).filter((k) => k !== 'index').sort(), usage: Object.keys(e.usageMetadata ?? {}).sort() });
    expect(shape(mock.at(-1)!)).toEqual(shape(real.at(-1)!));
    expect(shape(mock[0]!).candidate).toEqual(shape(real[0]!).candidate);
    const translate = async (events: GResponse[]) => {
      const t = openaiToGemini('gemini');
      t.request({ model: 'pub', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } } as OpenAIChatRequest, { model: 'm', publicModel: 'pub', clientHeaders: new Headers() });
      const r = await replay(t, events.map((data) => ({ data })));
      return (r.chunks as unknown as OAChunk[]).map((c) => (c.choices[0] ? Object.keys(c.choices[0].delta).sort().join(',') + `|${c.choices[0].finish_reason}` : 'usage'));
    };
    // role chunk, one content chunk per event, the finish chunk, the usage chunk.
    expect(await translate(mock)).toEqual(['content,role|null', 'content|null', 'content|null', 'content|null', '|stop', 'usage']);
    expect(await translate(real)).toEqual(['content,role|null', 'content|null', 'content|null', 'content|null', '|stop', 'usage']);
    expect(mock.at(-1)!.usageMetadata).toEqual(GEMINI_MOCK_USAGE);
  });

  test('non-streamed text, JSON and tool answers', async () => {
    expect((await chat('gemini-chat')).json!.choices[0]).toMatchObject({ message: { content: 'Hello from gemini' }, finish_reason: 'stop' });
    expect((await chat('gemini-json', { response_format: { type: 'json_object' } })).json!.choices[0].message.content).toBe('{"ok":true}');
    expect(up.requests.at(-1)!.path).toBe('/v1beta/models/gemini-json:generateContent');
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];
    const tool = await chat('gemini-tool', { tools, tool_choice: 'required' });
    const tc = tool.json!.choices[0];
    const call = tc.message.tool_calls![0]!;
    expect([tc.finish_reason, call.function.name, JSON.parse(call.function.arguments)]).toEqual(['tool_calls', 'get_weather', { location: 'Paris' }]);
    const streamed = assemble((await chat('gemini-tool', { tools, stream: true })).stream!.chunks);
    expect(streamed.toolCalls.map((c) => [c.name, c.arguments])).toEqual([['get_weather', '{"location":"Paris"}']]);
    expect(streamed.finish).toBe('tool_calls');
  });

  test('every parameter the translator sends is one the API knows', async () => {
    const r = await chat('gemini-chat', {
      messages: [
        { role: 'system', content: 'terse' },
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '{"ok":1}' },
      ],
      temperature: 0.2, top_p: 0.5, max_tokens: 50, stop: ['x'], seed: 1, n: 2, presence_penalty: 0.1, frequency_penalty: 0.1,
      logprobs: true, top_logprobs: 2, reasoning_effort: 'high',
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'integer' } } } } }], tool_choice: 'auto',
      response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' } } },
    });
    expect(r.status).toBe(200);
    expect(r.json!.choices.map((c) => [c.index, c.message.content])).toEqual([[0, 'The tool said: {"result":{"ok":1}}'], [1, 'The tool said: {"result":{"ok":1}}']]);
    // And the mock does catch a field the API would not know.
    const bad = await fetch(`${up.url}/v1beta/models/m:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': KEY }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }], generationConfig: { max_tokens: 1 } }) });
    expect([bad.status, ((await bad.json()) as GResponse).error!.message]).toEqual([400, 'Invalid JSON payload received. Unknown name "max_tokens" at \'generation_config\': Cannot find field.']);
  });

  test('n > 1 streams one choice per candidate', async () => {
    const r = await chat('gemini-chat', { n: 2, stream: true });
    expect([assemble(r.stream!.chunks, 0).content, assemble(r.stream!.chunks, 1).content]).toEqual(['Hello from gemini', 'Hello from gemini']);
    expect(assemble(r.stream!.chunks, 1).finish).toBe('stop');
  });

  test('a cut stream is upstream_invalid; a cut body is not JSON', async () => {
    const r = await chat('gemini-cut', { stream: true });
    expect(r.stream!.error?.kind).toBe('upstream_invalid');
    expect(assemble(r.stream!.chunks).content).toBe('Hello from');
    const res = await fetch(`${up.url}/v1beta/models/gemini-cut:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': KEY }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }) });
    await expect(res.json()).rejects.toThrow();
  });

  test('error-NNN answers in Google’s envelope and maps like the recordings', async () => {
    const limited = await chat('gemini-error-429');
    expect([limited.status, limited.error!.kind, limited.error!.code]).toEqual([429, 'rate_limited', 'RESOURCE_EXHAUSTED']);
    const down = await chat('gemini-error-503', { stream: true });
    expect([down.status, down.error!.kind, down.error!.code]).toEqual([503, 'upstream_error', 'UNAVAILABLE']);
    expect((await chat('gemini-error-400')).error!.kind).toBe('invalid_request');
  });

  test('auth: a wrong key gets the real 400 API_KEY_INVALID, no key a 403; both are the gateway’s problem', async () => {
    const wrong = await chat('gemini-chat', {}, 'AIza-wrong');
    expect([wrong.status, wrong.error!.kind, wrong.error!.status]).toEqual([400, 'upstream_error', 502]);
    const res = await fetch(`${up.url}/v1beta/models/gemini-chat:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': 'nope' }, body: '{}' });
    const body = (await res.json()) as GResponse;
    const real = (fixtureJson('firebase-testdata_googleai_unary-failure-api-key.json') as GResponse).error!;
    const got = body.error!;
    expect([got.code, got.message, got.status, got.details?.[0]?.reason]).toEqual([real.code, real.message, real.status, real.details?.[0]?.reason]);
    const none = await fetch(`${up.url}/v1beta/models/gemini-chat:generateContent`, { method: 'POST', body: '{}' });
    expect([none.status, ((await none.json()) as GResponse).error!.status]).toEqual([403, 'PERMISSION_DENIED']);
  });

  test('streamGenerateContent without alt=sse is one JSON array, as the real API sends it', async () => {
    const res = await fetch(`${up.url}/v1beta/models/gemini-chat:streamGenerateContent`, { method: 'POST', headers: { 'x-goog-api-key': KEY }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }) });
    const events = (await res.json()) as GResponse[];
    expect(events.map((e) => e.candidates?.[0]?.content?.parts?.[0]?.text).join('')).toBe('Hello from gemini');
  });

  test('embeddings', async () => {
    const t = geminiEmbeddings('gemini');
    const adapter = geminiAdapter('gemini', config());
    const call = t.request({ model: 'pub', input: ['one', 'two'], dimensions: 4 } as OpenAIEmbeddingsRequest, { model: 'gemini-embedding-001', publicModel: 'pub', clientHeaders: new Headers() });
    const p = await adapter.prepare(call, 'gemini-embedding-001');
    const res = await adapter.fetch(p.url, p.init);
    const out = t.response(await res.json()) as OAEmbeddings;
    expect(up.requests.at(-1)!.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(out.data.map((d) => [d.index, d.embedding.length])).toEqual([[0, 4], [1, 4]]);
    expect(out.data[0].embedding).not.toEqual(out.data[1].embedding);
  });
});
