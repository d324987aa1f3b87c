/**
 * The bench's upstream: an OpenAI chat server on Bun. A stream is a role chunk, 32 token
 * chunks, then a final chunk with usage and `[DONE]`, each written and flushed separately.
 *
 * Modes, picked per request by the model name (so every contender reaches every mode through
 * one upstream) or for every request by the flags:
 *   bench                    instant
 *   bench-latency-60         60 ms before the response starts
 *   bench-latency-60-gap-5   also 5 ms between stream chunks (a paced stream, to see merging)
 *
 *   bun bench/mock-upstream.ts --port 9100 [--latency-ms 60] [--gap-ms 0]
 */
import { parseArgs } from 'node:util';

const enc = new TextEncoder();
const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'bench' };
const FRAMES = [
  { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
  ...Array.from({ length: 32 }, (_, i) => ({ ...base, choices: [{ index: 0, delta: { content: ` tok${i}` }, finish_reason: null }] })),
  { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: 32, total_tokens: 44 } },
].map((f) => enc.encode(`data: ${JSON.stringify(f)}\n\n`));
const DONE = enc.encode('data: [DONE]\n\n');
/** What a client should count in one stream: 34 JSON events and [DONE], 32 of them tokens. */
export const STREAM_EVENTS = FRAMES.length + 1;
export const STREAM_TOKENS = 32;
export const JSON_CONTENT = 'Hello from the bench upstream.';
const JSON_BODY = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1700000000, model: 'bench',
  choices: [{ index: 0, message: { role: 'assistant', content: JSON_CONTENT }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
});

/** The mode a model name asks for; the flags' values when the name says nothing. */
export function modeOf(model: string, defaults = { latencyMs: 0, gapMs: 0 }): { latencyMs: number; gapMs: number } {
  return {
    latencyMs: Number(/latency-(\d+)/.exec(model)?.[1] ?? defaults.latencyMs),
    gapMs: Number(/gap-(\d+)/.exec(model)?.[1] ?? defaults.gapMs),
  };
}

export function startBenchUpstream(port = 0, defaults = { latencyMs: 0, gapMs: 0 }) {
  return Bun.serve({
    port,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req) {
      if (req.method !== 'POST') return new Response('POST /v1/chat/completions only', { status: 404 });
      const body = (await req.json()) as { stream?: boolean; model?: string };
      const { latencyMs, gapMs } = modeOf(body.model ?? '', defaults);
      if (latencyMs) await Bun.sleep(latencyMs);
      if (!body.stream) return new Response(JSON_BODY, { headers: { 'content-type': 'application/json' } });
      return new Response(
        new ReadableStream({
          type: 'direct',
          async pull(controller: ReadableStreamDirectController) {
            for (let i = 0; i < FRAMES.length; i++) {
              if (gapMs && i) await Bun.sleep(gapMs);
              controller.write(FRAMES[i]!);
              await controller.flush();
            }
            controller.write(DONE);
            await controller.flush();
            controller.close();
          },
        } as unknown as UnderlyingDefaultSource<Uint8Array>),
        { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } },
      );
    },
  });
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '9100' }, 'latency-ms': { type: 'string', default: '0' }, 'gap-ms': { type: 'string', default: '0' } } });
  const s = startBenchUpstream(Number(values.port), { latencyMs: Number(values['latency-ms']), gapMs: Number(values['gap-ms']) });
  console.log(`bench upstream on http://127.0.0.1:${s.port}`);
}
