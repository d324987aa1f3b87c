/**
 * The bench's upstream: an OpenAI chat server on Bun. Modes: `instant`, or a fixed latency
 * (`--latency-ms 60`). A stream is a role chunk, 32 token chunks, then a final chunk with usage
 * and `[DONE]`, each written (and flushed) separately.
 *
 *   bun bench/mock-upstream.ts --port 9100 [--latency-ms 60]
 */
import { parseArgs } from 'node:util';

export function startBenchUpstream(port = 0, latencyMs = 0) {
  const enc = new TextEncoder();
  const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'bench' };
  const frames = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
    ...Array.from({ length: 32 }, (_, i) => ({ ...base, choices: [{ index: 0, delta: { content: ` tok${i}` }, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: 32, total_tokens: 44 } },
  ].map((f) => enc.encode(`data: ${JSON.stringify(f)}\n\n`));
  const done = enc.encode('data: [DONE]\n\n');
  const json = JSON.stringify({
    id: 'chatcmpl-bench', object: 'chat.completion', created: 1700000000, model: 'bench',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the bench upstream.' }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
  });
  return Bun.serve({
    port,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req) {
      const body = (await req.json()) as { stream?: boolean };
      if (latencyMs) await Bun.sleep(latencyMs);
      if (!body.stream) return new Response(json, { headers: { 'content-type': 'application/json' } });
      return new Response(
        new ReadableStream({
          type: 'direct',
          async pull(controller: ReadableStreamDirectController) {
            for (const f of frames) {
              controller.write(f);
              await controller.flush();
            }
            controller.write(done);
            await controller.flush();
            controller.close();
          },
        } as unknown as UnderlyingDefaultSource<Uint8Array>),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    },
  });
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '9100' }, 'latency-ms': { type: 'string', default: '0' } } });
  const s = startBenchUpstream(Number(values.port), Number(values['latency-ms']));
  console.log(`bench upstream on http://127.0.0.1:${s.port}`);
}
