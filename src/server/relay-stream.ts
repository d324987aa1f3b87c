import { GatewayError, toGatewayError } from '../lib/errors.ts';
import { errorEvent } from '../lib/render-error.ts';
import { sseFrame } from '../lib/sse.ts';
import type { ChatTranslator, StreamEvent, Usage } from '../providers/types.ts';
import type { ClientSchema } from '../lib/render-error.ts';
import type { Served } from '../routing/execute.ts';
import type { StreamVerdict, UpstreamStream } from '../routing/stream.ts';
import { deliveredCounter } from './delivered.ts';
import { streamReassembler } from '../exchange/reassemble.ts';

export interface StreamEnd {
  usage: Usage;
  /** Output tokens estimated from what reached the client, for streams cut before usage. */
  deliveredTokens: number;
  /** The text that reached the client, for a tokenizer estimate when usage was not reported. */
  deliveredText: string;
  /** Content-bearing events delivered (each is at least one token). */
  deliveredEvents: number;
  /** ok, interrupted (client left), shutdown, or the error kind that cut the stream. */
  outcome: string;
  ttftMs?: number;
  /** The answer reassembled from the events, when RelayOptions.capture asked for it. */
  response?: { value: unknown; truncated: boolean; lossy: boolean };
}

export interface RelayOptions {
  schema: ClientSchema;
  clientSignal: AbortSignal;
  /** Aborts when the gateway's drain time is up: the stream ends with an error event. */
  shutdown?: AbortSignal;
  /** The request's start (performance.now), for the time to first token. */
  startedAt: number;
  /** Reassemble the answer (prompt capture), keeping at most this many characters of its text. */
  capture?: number;
}

const enc = new TextEncoder();

/**
 * Relays a routed stream to the client as SSE, one frame per translated event as it arrives
 * (pull-based: nothing is read ahead of the client). A failure after the first byte ends the
 * stream with an in-band error event and never a clean end; the usage seen so far (at least
 * what the client received) is recorded. Calls `done` exactly once.
 */
export function relayStream<Req>(served: Served<ChatTranslator<Req>, UpstreamStream>, o: RelayOptions, done: (end: StreamEnd) => void): ReadableStream<Uint8Array> {
  const { translator, value: upstream } = served;
  let pending: StreamEvent[] | undefined = upstream.first;
  let ttftMs: number | undefined;
  let finished = false;
  let out: ReadableStreamDefaultController<Uint8Array> | undefined;
  const delivered = deliveredCounter(o.schema);
  const whole = o.capture === undefined ? undefined : streamReassembler(o.schema, o.capture);
  // The Responses stream numbers its events; an error event after them takes the next number.
  let nextSeq = 0;
  const cut = (err: GatewayError) => enc.encode(errorEvent(err, o.schema, nextSeq));

  const finish = (outcome: string, verdict: StreamVerdict) => {
    if (finished) return;
    finished = true;
    o.clientSignal.removeEventListener('abort', onClientGone);
    o.shutdown?.removeEventListener('abort', onShutdown);
    upstream.close(verdict);
    done({ usage: partialUsage(translator.usage(), outcome, delivered.estimatedTokens()), outcome, ttftMs, deliveredTokens: delivered.estimatedTokens(), deliveredText: delivered.text(), deliveredEvents: delivered.events(), response: whole?.result() });
  };
  const onClientGone = () => finish('interrupted', 'cancelled');
  const onShutdown = () => {
    if (finished || !out) return;
    out.enqueue(cut(new GatewayError('unavailable', 'The gateway is shutting down; the stream was cut before it finished.')));
    finish('shutdown', 'cancelled');
    out.close();
  };
  o.clientSignal.addEventListener('abort', onClientGone, { once: true });
  o.shutdown?.addEventListener('abort', onShutdown, { once: true });

  return new ReadableStream<Uint8Array>({
    start(controller) {
      out = controller;
      if (o.shutdown?.aborted) onShutdown();
    },
    async pull(controller) {
      try {
        for (;;) {
          if (finished) return;
          const batch = pending ?? (await upstream.next());
          pending = undefined;
          if (finished) return;
          if (batch === null) {
            finish('ok', 'ok');
            controller.close();
            return;
          }
          if (!batch.length) continue;
          ttftMs ??= Math.round(performance.now() - o.startedAt);
          for (const ev of batch) {
            delivered.see(ev);
            whole?.see(ev);
            const seq = (ev.data as { sequence_number?: unknown } | null)?.sequence_number;
            if (typeof seq === 'number') nextSeq = seq + 1;
            controller.enqueue(sseFrame(ev));
          }
          return;
        }
      } catch (e) {
        if (finished) return;
        if (o.clientSignal.aborted) return finish('interrupted', 'cancelled');
        const err = toGatewayError(e);
        controller.enqueue(cut(err.kind === 'internal' ? new GatewayError('upstream_error', 'The upstream stream failed.') : err));
        finish(err.kind, 'failed');
        controller.close();
      }
    },
    cancel() {
      onClientGone();
    },
  });
}

/** A cut stream is billed for at least what the client received. */
function partialUsage(usage: Usage, outcome: string, delivered: number): Usage {
  if (outcome === 'ok' || usage.output_tokens >= delivered) return usage;
  const reported = usage.input_tokens + usage.output_tokens > 0;
  return reported ? { ...usage, output_tokens: delivered } : usage;
}
