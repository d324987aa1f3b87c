import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenAIUpstream, type OpenAIUpstream } from '../mocks/openai-upstream.ts';
import { startAnthropicUpstream } from '../mocks/anthropic-upstream.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../../src/server/start.ts';

// previous_response_id across a provider fallback: a conversation begun on OpenAI (natively)
// continues on Anthropic when OpenAI fails mid-conversation, and back on OpenAI after.
const KEY = 'test-upstream-key';
let openai: OpenAIUpstream;
let anthropic: ReturnType<typeof startAnthropicUpstream>;
let gw: Gateway;

beforeAll(async () => {
  openai = startOpenAIUpstream({ apiKey: KEY });
  anthropic = startAnthropicUpstream({ apiKey: KEY });
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-responses-'));
  writeFileSync(
    join(dir, 'route.rego'),
    'package gateway\n\ndefault decision := {"allowed": true}\n\ndecision := object.union({"allowed": true}, data.routes[input.request.model]) if data.routes[input.request.model]\n',
  );
  gw = await startTestGateway({
    providers: { openai: { type: 'openai', base_url: openai.url + '/v1', api_key: KEY }, claude: { type: 'anthropic', base_url: anthropic.url, api_key: KEY } },
    models: { native: { provider: 'openai', model: 'gpt-chat' }, flaky: { provider: 'openai', model: 'gpt-error-500' } },
    routing: { retries: { max_retries: 0 } },
    policy: { enabled: true, dir, watch: false, data: { routes: { flaky: { targets: [{ provider: 'openai', model: 'gpt-error-500' }, { provider: 'claude', model: 'claude-chat' }] } } } },
  });
}, 30_000);
afterAll(async () => {
  await gw.stop();
  openai.stop();
  anthropic.stop();
});

async function create(body: Record<string, unknown>) {
  const res = await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, servedBy: res.headers.get('x-tollgate-served-by'), body: (await res.json()) as { id: string; output: { content?: { text: string }[] }[] } };
}

test('the conversation survives the fallback and comes back to the native endpoint', async () => {
  const first = await create({ model: 'native', input: 'Remember the word: lantern.' });
  expect(first.servedBy).toBe('openai/gpt-chat');
  const second = await create({ model: 'flaky', input: 'Which word?', previous_response_id: first.body.id });
  expect([second.status, second.servedBy]).toEqual([200, 'claude/claude-chat']);
  const toClaude = JSON.stringify(anthropic.requests.at(-1)!.body);
  expect(toClaude).toContain('Remember the word: lantern.');
  expect(toClaude).toContain('Hello from openai');
  expect(toClaude).toContain('Which word?');
  const third = await create({ model: 'native', input: 'And again?', previous_response_id: second.body.id });
  expect(third.status).toBe(200);
  const toOpenAI = JSON.stringify(openai.requests.at(-1)!.body);
  for (const said of ['Remember the word: lantern.', 'Which word?', 'Hello from anthropic', 'And again?']) expect(toOpenAI).toContain(said);
  expect(openai.requests.at(-1)!.path).toBe('/v1/responses');
});

test("reasoning items another provider's answer left in the conversation are not sent to OpenAI natively", async () => {
  const thought = { type: 'reasoning', id: 'rs_tg0123456789abcdef0123456789abcdef0123456789abcdef', summary: [{ type: 'summary_text', text: 'thinking elsewhere' }] };
  const openaiOwn = { type: 'reasoning', id: 'rs_67e554a1de488191af0831d35cbe082e0794405d35281ae2', summary: [] };
  const r = await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'native', input: [{ role: 'user', content: 'hi' }, thought, openaiOwn, { role: 'user', content: 'again' }] }) });
  expect(r.status).toBe(200);
  expect(r.headers.get('x-tollgate-dropped-params')).toBe('input.reasoning');
  const sent = JSON.stringify(openai.requests.at(-1)!.body);
  expect(sent).not.toContain('thinking elsewhere');
  expect(sent).toContain(openaiOwn.id);
});
