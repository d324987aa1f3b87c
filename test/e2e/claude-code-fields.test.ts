import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createKey } from '../../src/store/keys.ts';
import { budgetApp } from '../support/budget-app.ts';
import { startBedrockUpstream, MOCK_CREDENTIALS } from '../mocks/bedrock-upstream.ts';
import { startGeminiUpstream } from '../mocks/gemini-upstream.ts';
import { startOpenAIUpstream } from '../mocks/openai-upstream.ts';

// Claude Code's default request on the OpenAI, Gemini and Bedrock routes: accepted, mapped, and the
// hints it carries named in x-tollgate-dropped-params and on the usage row.
const GKEY = 'AIza-test-key';
const bedrock = startBedrockUpstream();
const gemini = startGeminiUpstream({ apiKey: GKEY });
const openai = startOpenAIUpstream({});
const YAML = `
providers:
  openai: { type: openai-compatible, base_url: '${openai.url}/v1' }
  gemini: { type: gemini, base_url: '${gemini.url}/v1beta', api_key: ${GKEY} }
  bedrock: { type: bedrock, region: us-east-1, base_url: '${bedrock.url}', access_key_id: ${MOCK_CREDENTIALS.accessKeyId}, secret_access_key: '${MOCK_CREDENTIALS.secretAccessKey}' }
  strict: { type: openai-compatible, base_url: '${openai.url}/v1', params: { refuse: [tools.eager_input_streaming] } }
models:
  cc-openai: { provider: openai, model: gpt-chat }
  cc-gemini: { provider: gemini, model: gemini-chat }
  cc-bedrock: { provider: bedrock, model: us.anthropic.claude-sonnet-4-5-chat-v1:0 }
  cc-strict: { provider: strict, model: gpt-chat }
  cc-lenient: { provider: openai, model: gpt-chat, params: { drop: [thinking, top_k] } }
`;
let t: Awaited<ReturnType<typeof budgetApp>>;
let key: string;
beforeAll(async () => {
  t = await budgetApp(YAML);
  key = (await createKey(t.store, { name: 'cc' })).key;
});
afterAll(async () => {
  await t.close();
  bedrock.stop();
  gemini.stop();
  openai.stop();
});

/** What Claude Code 2.x sends by default (trimmed to one tool). */
const claudeCode = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  max_tokens: 32000,
  system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Read README.md', cache_control: { type: 'ephemeral' } }] },
    { role: 'assistant', content: [{ type: 'thinking', thinking: 'I should read it.', signature: 'sig' }, { type: 'text', text: 'Reading.' }] },
    { role: 'system', content: 'Keep answers short.' },
    { role: 'user', content: 'Go on.' },
  ],
  tools: [{ name: 'Read', description: 'Reads a file', input_schema: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] }, eager_input_streaming: true }],
  thinking: { type: 'enabled', budget_tokens: 31999 },
  metadata: { user_id: JSON.stringify({ device_id: 'd0c1', account_uuid: '', session_id: '6f1e-42' }) },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  ...extra,
});
const ask = (body: unknown) => t.post('/v1/messages', key, body, { headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,mid-conversation-system-2026-04-07' } });
const HINTS = 'cache_control, context_management, tools.eager_input_streaming';

const BEDROCK_HINTS = 'context_management, tools.eager_input_streaming';
for (const [model, upstream, hints] of [['cc-openai', openai, HINTS], ['cc-gemini', gemini, HINTS], ['cc-bedrock', bedrock, BEDROCK_HINTS]] as const) {
  test(`Claude Code's default request on ${model}: 200, mapped, hints named in the header and on the usage row`, async () => {
    const before = t.records.length;
    const r = await ask(claudeCode(model));
    const body = (await r.json()) as { type: string; content: { type: string }[] };
    expect({ status: r.status, type: body.type }).toEqual({ status: 200, type: 'message' });
    expect(r.headers.get('x-tollgate-dropped-params')).toBe(hints);
    const rows = await t.rows(before + 1);
    expect(rows.at(-1)!.dropped_params).toEqual(hints.split(', '));
    const sent = JSON.stringify(upstream.requests.at(-1)!.body);
    expect(sent).not.toContain('eager_input_streaming');
    expect(sent).toContain('Keep answers short.');
  });
}

test('thinking becomes each wire’s reasoning control', async () => {
  await ask(claudeCode('cc-openai'));
  expect(openai.requests.at(-1)!.body).toMatchObject({ reasoning_effort: 'high' });
  await ask(claudeCode('cc-gemini'));
  expect(gemini.requests.at(-1)!.body).toMatchObject({ generationConfig: { thinkingConfig: { thinkingBudget: 24576 } } });
  await ask(claudeCode('cc-bedrock'));
  expect(bedrock.requests.at(-1)!.body).toMatchObject({ outputConfig: { effort: 'high' }, requestMetadata: { user: expect.stringMatching(/^[\w:,\-. ]+$/) } });
});

test('params.refuse turns a hint into a 400 naming it; params.drop takes a parameter out and names it', async () => {
  const refused = await ask(claudeCode('cc-strict'));
  expect(refused.status).toBe(400);
  expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('tools.eager_input_streaming') } });
  const lenient = await ask(claudeCode('cc-lenient', { top_k: 5 }));
  expect(lenient.status).toBe(200);
  expect(lenient.headers.get('x-tollgate-dropped-params')).toBe(`thinking, top_k, ${HINTS}`);
  const sent = openai.requests.at(-1)!.body as Record<string, unknown>;
  expect([sent.reasoning_effort, sent.top_k]).toEqual([undefined, undefined]);
});

test("a translated Anthropic stream states the prompt's estimated input tokens in message_start", async () => {
  const r = await ask(claudeCode('cc-gemini', { stream: true }));
  const text = await r.text();
  const start = JSON.parse(/event: message_start\ndata: (.*)\n/.exec(text)![1]!) as { message: { usage: { input_tokens: number } } };
  expect(start.message.usage.input_tokens).toBeGreaterThan(10);
  const delta = JSON.parse(/event: message_delta\ndata: (.*)\n/.exec(text)![1]!) as { usage: { input_tokens: number } };
  expect(delta.usage.input_tokens).toBe(11);
});

test("on Bedrock (Claude) Claude Code's cache_control markers become cachePoints: the repeat call reads the cache", async () => {
  // A system prompt no other test sends: the mock's cache is empty for it.
  const body = claudeCode('cc-bedrock', { system: [{ type: 'text', text: 'You are Claude Code (cache test).', cache_control: { type: 'ephemeral' } }] });
  type Usage = { usage: { input_tokens: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number } };
  // Anthropic's input_tokens counts neither cache reads nor writes: only Converse's uncached inputTokens (11 from the mock).
  const first = (await (await ask(body)).json()) as Usage;
  expect(first.usage.input_tokens).toBe(11);
  expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(0);
  const sent = bedrock.requests.at(-1)!.body as { system: Record<string, unknown>[]; messages: { content: Record<string, unknown>[] }[] };
  expect(sent.system).toEqual([{ text: 'You are Claude Code (cache test).' }, { cachePoint: { type: 'default' } }, { text: 'Keep answers short.' }]);
  expect(sent.messages[0]!.content).toEqual([{ text: 'Read README.md' }, { cachePoint: { type: 'default' } }]);
  const again = (await (await ask(body)).json()) as Usage;
  expect(again.usage.input_tokens).toBe(11);
  expect(again.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens!);
  expect(again.usage.cache_creation_input_tokens).toBeUndefined();
});
