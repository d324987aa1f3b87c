import { afterAll, expect, test } from 'bun:test';
import { signBedrockRequest } from '../../src/providers/bedrock/sigv4.ts';
import { cassette } from './bedrock-fixtures.ts';
import { MOCK_CREDENTIALS, startBedrockUpstream } from './bedrock-upstream.ts';

// The mock's cachePoint handling replayed against the recorded cache cassette: the same two
// requests write the cache, then read it; and the service model's content unions are enforced.
const up = startBedrockUpstream();
afterAll(() => up.stop());
const CACHE = 'pydantic-ai_test_bedrock_test_bedrock_cache_write_and_read.yaml';

async function converse(model: string, body: unknown) {
  const url = `${up.url}/model/${encodeURIComponent(model)}/converse`;
  const text = JSON.stringify(body);
  const headers = await signBedrockRequest({ url, body: text, credentials: MOCK_CREDENTIALS, region: 'us-east-1', headers: { 'content-type': 'application/json' } });
  const res = await fetch(url, { method: 'POST', headers, body: text });
  return { status: res.status, json: (await res.json()) as { usage?: Record<string, number>; message?: string } };
}

test('the recorded cachePoint requests write the cache, then read it, as recorded', async () => {
  const recorded = cassette(CACHE);
  const model = decodeURIComponent(recorded[0]!.uri.split('/model/')[1]!.split('/')[0]!);
  const cacheFields = (u: Record<string, number>) => ({ write: u.cacheWriteInputTokens! > 0, read: u.cacheReadInputTokens! > 0 });
  for (const it of recorded) {
    const mock = await converse(model, it.requestBody);
    expect(mock.status).toBe(200);
    expect(cacheFields(mock.json.usage!)).toEqual(cacheFields((it.json as { usage: Record<string, number> }).usage));
  }
});

test('cachePoint is refused for models without prompt caching; unknown block members are refused', async () => {
  const body = { messages: [{ role: 'user', content: [{ text: 'hi' }, { cachePoint: { type: 'default' } }] }] };
  expect((await converse('meta.llama3-70b-instruct-v1:0', body)).status).toBe(400);
  expect((await converse('us.amazon.nova-pro-v1:0', body)).status).toBe(200);
  const bad = await converse('us.amazon.nova-pro-v1:0', { messages: [{ role: 'user', content: [{ text: 'hi', cache_control: { type: 'ephemeral' } }] }] });
  expect([bad.status, bad.json.message]).toEqual([400, expect.stringContaining('messages.0.content.0')]);
});
