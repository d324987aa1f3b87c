import { afterAll, beforeAll, expect, test } from 'bun:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startAnthropicUpstream } from '../mocks/anthropic-upstream.ts';
import { startOpenAIUpstream } from '../mocks/openai-upstream.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { sha256Hex } from '../../src/lib/hash.ts';
import type { Gateway } from '../../src/server/start.ts';

// Issue 11, item 4a: a client cannot switch on, through the shared provider key, a beta or a
// server-side tool the operator never enabled.
const KEY = 'upstream-anthropic-key';
const ant = startAnthropicUpstream({ apiKey: KEY });
const oai = startOpenAIUpstream({ apiKey: KEY });
const CLAUDE_CODE_BETAS = 'claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14,context-management-2025-06-27';
const keys = [
  { name: 'searcher', hash: sha256Hex('tg-searcher'), team: 'search' },
  { name: 'plain', hash: sha256Hex('tg-plain'), team: 'other' },
];
const base = {
  server: { host: '127.0.0.1', port: 0, allow_anonymous: false },
  keys,
  models: { claude: { provider: 'anthropic', model: 'claude-sonnet-4-5' }, gpt: { provider: 'openai', model: 'gpt-4o-search-preview' } },
};
let gw: Gateway;
let opened: Gateway;
let policied: Gateway;
beforeAll(async () => {
  const providers = (extra: Record<string, unknown>) => ({ anthropic: { type: 'anthropic', base_url: ant.url, api_key: KEY, ...extra }, openai: { type: 'openai', base_url: `${oai.url}/v1`, api_key: KEY, ...extra } });
  [gw, opened, policied] = await Promise.all([
    startTestGateway({ ...base, providers: providers({}) }),
    startTestGateway({ ...base, providers: providers({ allowed_betas: ['files-api-2025-04-14'], allowed_server_tools: ['web_search', 'mcp_servers', 'web_search_options'] }) }),
    startTestGateway({ ...base, providers: providers({}), policy: { enabled: true, data: { teams: { search: { allow_betas: ['files-api-2025-04-14'], allow_server_tools: ['web_search'] } } } } }),
  ]);
});
afterAll(async () => {
  await Promise.all([gw, opened, policied].map((g) => g?.stop()));
  ant.stop();
  oai.stop();
});

type Caught = { status?: number; error?: { error?: { type?: string; message?: string }; message?: string; type?: string; param?: string; code?: string } };
const claude = (g: Gateway, key = 'tg-plain') => new Anthropic({ baseURL: g.url, apiKey: key, maxRetries: 0 });
const ask = (g: Gateway, extra: Record<string, unknown>, beta?: string, key?: string) =>
  claude(g, key)
    .messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], ...extra } as Anthropic.MessageCreateParamsNonStreaming, beta ? { headers: { 'anthropic-beta': beta } } : undefined)
    .then(() => ({ status: 200 }) as Caught, (e: Caught) => e);
const webSearch = { tools: [{ name: 'lookup', input_schema: { type: 'object' } }, { type: 'web_search_20250305', name: 'web_search', max_uses: 5 }] };
const mcp = { mcp_servers: [{ type: 'url', url: 'https://mcp.example.com/sse', name: 'exfil' }] };

test('default config: Claude Code betas pass to the provider; files, MCP and web search are refused with a 403 naming them', async () => {
  const before = ant.requests.length;
  expect((await ask(gw, {}, CLAUDE_CODE_BETAS)).status).toBe(200);
  expect(ant.requests.at(-1)!.headers['anthropic-beta']).toBe(CLAUDE_CODE_BETAS);

  const files = await ask(gw, {}, `claude-code-20250219,files-api-2025-04-14`);
  expect(files.status).toBe(403);
  expect(files.error?.error?.type).toBe('permission_error');
  expect(files.error?.error?.message).toContain("anthropic-beta 'files-api-2025-04-14'");
  expect(files.error?.error?.message).toContain('providers.anthropic.allowed_betas');

  const search = await ask(gw, webSearch);
  expect(search.status).toBe(403);
  expect(search.error?.error?.message).toContain("server-side tool 'web_search_20250305'");
  const server = await ask(gw, mcp, 'mcp-client-2025-04-04');
  expect(server.status).toBe(403);
  expect(server.error?.error?.message).toMatch(/mcp-client-2025-04-04|mcp_servers/);
  expect((await ask(gw, mcp)).error?.error?.message).toContain("server-side tool 'mcp_servers'");
  for (const type of ['code_execution_20250825', 'bash_20250124', 'computer_20250124', 'text_editor_20250728', 'web_fetch_20250910']) {
    expect((await ask(gw, { tools: [{ type, name: type.split('_2')[0] }] })).status).toBe(403);
  }
  // Nothing refused reached the provider.
  expect(ant.requests.length).toBe(before + 1);

  const o = await new OpenAI({ baseURL: gw.url + '/v1', apiKey: 'tg-plain', maxRetries: 0 }).chat.completions
    .create({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }], web_search_options: {} })
    .then(() => ({ status: 200 }) as Caught, (e: Caught) => e);
  expect(o.status).toBe(403);
  expect(o.error).toMatchObject({ type: 'permission_error', param: 'web_search_options', code: 'server_tool_not_allowed' });
});

test('an operator allow-list in config lets exactly those through', async () => {
  expect((await ask(opened, {}, 'files-api-2025-04-14')).status).toBe(200);
  expect(ant.requests.at(-1)!.headers['anthropic-beta']).toBe('files-api-2025-04-14');
  expect((await ask(opened, webSearch)).status).toBe(200);
  expect((ant.requests.at(-1)!.body as { tools: { type?: string }[] }).tools[1]!.type).toBe('web_search_20250305');
  expect((await ask(opened, mcp)).status).toBe(200);
  // Claude Code's defaults are replaced, not extended, by an explicit list.
  expect((await ask(opened, {}, 'claude-code-20250219')).status).toBe(403);
  expect((await ask(opened, { tools: [{ type: 'code_execution_20250825', name: 'code_execution' }] })).status).toBe(403);
});

test('the policy allows a beta and a server tool for one team; the others are still refused', async () => {
  expect((await ask(policied, {}, 'files-api-2025-04-14', 'tg-searcher')).status).toBe(200);
  expect((await ask(policied, webSearch, undefined, 'tg-searcher')).status).toBe(200);
  expect((await ask(policied, {}, 'files-api-2025-04-14', 'tg-plain')).status).toBe(403);
  expect((await ask(policied, webSearch, undefined, 'tg-plain')).status).toBe(403);
  expect((await ask(policied, mcp, undefined, 'tg-searcher')).status).toBe(403);
}, 30_000);
