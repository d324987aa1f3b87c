import { parseConfig } from '../../../src/config/load.ts';
import { buildRuntime, runtimeHolder } from '../../../src/config/runtime.ts';
import type { Logger } from '../../../src/lib/logger.ts';
import { sha256Hex } from '../../../src/lib/hash.ts';
import { createApp } from '../../../src/server/app.ts';
import { openStore } from '../../../src/store/client.ts';
import { migrate } from '../../../src/store/migrate.ts';

export const CLIENT_KEY = 'tg-fuzz-client-key-0123456789';
export const MASTER_KEY = 'tg-fuzz-master-key-0123456789';

/** Public models the fuzzer names: the mock's behaviours, and translators behind a canned upstream. */
export const MODELS = ['chat', 'tool', 'json', 'fails', 'claude', 'oai', 'gem', 'emb', 'oai-emb'] as const;
/** Models whose upstream fails on purpose: a 502/503/504 for them is intended. */
export const FAILING = new Set(['fails']);

const CONFIG = `
server: { max_body_bytes: 262144 }
providers:
  mock: { type: mock }
  anthropic: { type: anthropic, base_url: http://anthropic.test, api_key: sk-ant-fuzz }
  oai: { type: openai-compatible, base_url: http://oai.test/v1, api_key: sk-oai-fuzz }
  gem: { type: gemini, base_url: http://gemini.test/v1beta, api_key: AIza-fuzz }
models:
  chat: { provider: mock, model: mock/ok }
  tool: { provider: mock, model: mock/tool }
  json: { provider: mock, model: mock/json }
  fails: { provider: mock, model: mock/error-503 }
  claude: { provider: anthropic, model: claude-x }
  oai: { provider: oai, model: gpt-x }
  gem: { provider: gem, model: gemini-x }
  emb: { provider: mock, model: mock/embedding, kind: embeddings }
  oai-emb: { provider: oai, model: emb-x, kind: embeddings }
keys:
  - { name: fuzz, hash: "sha256:${sha256Hex(CLIENT_KEY)}", team: ml }
prices:
  claude-x: { input: 3, output: 15 }
  gpt-x: { input: 1, output: 2 }
`;

const sse = (events: string[]) => new Response(events.join(''), { headers: { 'content-type': 'text/event-stream' } });
const data = (o: object, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(o)}\n\n`;

/** A well-behaved upstream for every provider: the fuzz is about what clients send. */
export const cannedUpstream: typeof fetch = Object.assign(
  async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    const body = typeof init?.body === 'string' ? init.body : '';
    const stream = /"stream"\s*:\s*true/.test(body) || url.includes('stream');
    if (url.startsWith('http://anthropic.test')) {
      if (!stream) return Response.json({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 1 } });
      return sse([
        data({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 0 } } }, 'message_start'),
        data({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
        data({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } }, 'content_block_delta'),
        data({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
        data({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } }, 'message_delta'),
        data({ type: 'message_stop' }, 'message_stop'),
      ]);
    }
    if (url.startsWith('http://gemini.test')) {
      const chunk = { candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 } };
      return stream ? sse([data(chunk)]) : Response.json(chunk);
    }
    if (url.includes('/embeddings')) return Response.json({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], model: 'emb-x', usage: { prompt_tokens: 1, total_tokens: 1 } });
    const usage = { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 };
    if (!stream) return Response.json({ id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-x', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage });
    const chunk = (delta: object, finish: string | null = null) => ({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [{ index: 0, delta, finish_reason: finish }] });
    return sse([data(chunk({ role: 'assistant', content: 'hi' })), data(chunk({}, 'stop')), data({ ...chunk({}), choices: [], usage }), 'data: [DONE]\n\n']);
  },
  { preconnect: fetch.preconnect },
);

/** The app under fuzz: in-process (app.request, no sockets), an in-memory database for /admin. */
export async function fuzzApp(logger: Logger) {
  const store = await openStore({ url: ':memory:' });
  await migrate(store.client);
  const runtime = runtimeHolder(buildRuntime(parseConfig(CONFIG, 'fuzz.yaml', {}).config, cannedUpstream));
  const app = createApp({ runtime, logger, store });
  return { app, close: () => store.close() };
}
