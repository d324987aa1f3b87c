import { GatewayError, toGatewayError } from '../lib/errors.ts';
import { errorEvent } from '../lib/render-error.ts';
import { sseFrame } from '../lib/sse.ts';
import type { ChatTranslator, ClientSchema, StreamEvent, Usage } from '../providers/types.ts';
import type { Served } from '../routing/execute.ts';
import { deliveredCounter } from './delivered.ts';

export interface StreamEnd {
  usage: Usage;
  /** Output tokens estimated from what reached the client, for streams cut before usage. */
  deliveredTokens: number;
  /** ok, interrupted (client left), or the error kind that cut the stream. */
  outcome: string;
  ttftMs?: number;
}

/**
 * Relays an upstream stream to the client as SSE, one translated frame per upstream event as
 * it arrives (pull-based: nothing is buffered ahead of the client). Ends with an in-band error
 * event, never a clean end, when the upstream fails mid-stream. Calls `done` exactly once.
 */
export function relayStream<Req>(
  served: Served<ChatTranslator<Req>>,
  schema: ClientSchema,
  clientSignal: AbortSignal,
  done: (end: StreamEnd) => void,
): ReadableStream<Uint8Array> {
  const { translator, response, adapter } = served;
  const started = performance.now();
  let ttftMs: number | undefined;
  let finished = false;
  let iterator: AsyncIterator<StreamEvent> | undefined;
  const delivered = deliveredCounter(schema);

  const finish = (outcome: string) => {
    if (finished) return;
    finished = true;
    clientSignal.removeEventListener('abort', onClientGone);
    served.abort();
    done({ usage: translator.usage(), outcome, ttftMs, deliveredTokens: delivered.estimatedTokens() });
  };
  const onClientGone = () => {
    if (finished) return;
    void iterator?.return?.();
    finish('interrupted');
  };
  clientSignal.addEventListener('abort', onClientGone, { once: true });

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (finished) return;
      try {
        iterator ??= adapter.events(response.body!)[Symbol.asyncIterator]();
        // Loop until at least one frame is produced, so each pull delivers something.
        for (;;) {
          const next = await iterator.next();
          if (finished) return;
          if (next.done) {
            for (const ev of translator.streamEnd()) controller.enqueue(sseFrame(ev));
            finish('ok');
            controller.close();
            return;
          }
          const out = translator.streamEvent(next.value);
          if (out.length === 0) continue;
          ttftMs ??= Math.round(performance.now() - started);
          for (const ev of out) {
            delivered.see(ev);
            controller.enqueue(sseFrame(ev));
          }
          return;
        }
      } catch (e) {
        if (finished) return;
        const err = clientSignal.aborted ? undefined : streamError(e);
        if (err) controller.enqueue(new TextEncoder().encode(errorEvent(err, schema)));
        finish(err ? err.kind : 'interrupted');
        controller.close();
      }
    },
    cancel() {
      onClientGone();
    },
  });
}

function streamError(e: unknown): GatewayError {
  const err = toGatewayError(e);
  if (err.kind === 'internal') return new GatewayError('upstream_error', 'The upstream stream failed.');
  return err;
}
