import type { Clock } from '../lib/clock.ts';
import { GatewayError, toGatewayError } from '../lib/errors.ts';
import type { ChatTranslator, ProviderAdapter, StreamEvent } from '../providers/types.ts';
import type { Answer } from './attempt.ts';
import { scrub } from './route-error.ts';
import { watchBody } from './timeouts.ts';

/** How a stream ended, for the deployment's health: it ran to the end, it failed, or the client left. */
export type StreamVerdict = 'ok' | 'failed' | 'cancelled';

/**
 * An upstream stream already translated into the caller's events. `first` holds the events
 * read before the router committed to this target (nothing went to the client before them).
 */
export interface UpstreamStream {
  first: StreamEvent[];
  /** The next events; null once the stream has ended cleanly. Throws a GatewayError when it fails. */
  next(): Promise<StreamEvent[] | null>;
  /** Lets go of the upstream (timers, socket) and reports the verdict. Idempotent. */
  close(verdict: StreamVerdict): void;
}

export interface StreamOptions {
  finaliseMs: number;
  clock: Clock;
  /** The bound on one upstream event (routing.limits.sse_event_bytes). */
  maxEventBytes: number;
  /** Credentials no error event may echo (see route-error.ts `scrub`). */
  secrets: string[];
}

const QUIET = Symbol('quiet');

/**
 * Reads the upstream until the translator yields the first client events. Throws when the
 * stream fails first (the router may then try elsewhere). After that the stream belongs to
 * the caller. A stream that goes quiet for `finaliseMs` after the translator has seen its final
 * event (no [DONE], connection left open) is closed cleanly then, not at the idle timeout.
 */
export async function openStream<Req>(a: Answer, adapter: ProviderAdapter, translator: ChatTranslator<Req>, o: StreamOptions, onClose: (v: StreamVerdict) => void): Promise<UpstreamStream> {
  const { finaliseMs, clock } = o;
  const body = a.response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const it = adapter.events(watchBody(body, a.dog), o.maxEventBytes)[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<StreamEvent>> | undefined;
  let ended = false;
  let drained = false;
  let quietChecked = true;
  let closed = false;

  const quietFor = <T>(p: Promise<T>, ms: number) =>
    new Promise<T | typeof QUIET>((resolve, reject) => {
      const t = clock.setTimeout(() => resolve(QUIET), ms);
      p.then(
        (v) => (t.cancel(), resolve(v)),
        (e) => (t.cancel(), reject(e)),
      );
    });

  async function pull(): Promise<StreamEvent[] | null> {
    if (ended) return null;
    for (;;) {
      pending ??= it.next();
      const r = quietChecked ? await pending : await quietFor(pending, finaliseMs);
      if (r === QUIET) {
        quietChecked = true;
        const closing = finalise();
        if (closing) return closing;
        continue;
      }
      pending = undefined;
      if (r.done) {
        ended = drained = true;
        return translator.streamEnd();
      }
      quietChecked = false;
      const out = translator.streamEvent(r.value);
      if (out.length) return out;
    }
  }

  /** The closing events when the translator saw the final event, else undefined (keep waiting). */
  function finalise(): StreamEvent[] | undefined {
    try {
      const closing = translator.streamEnd();
      ended = true;
      a.close();
      return closing;
    } catch {
      return undefined;
    }
  }

  const close = (verdict: StreamVerdict) => {
    if (closed) return;
    closed = true;
    a.close(drained);
    if (!drained) void it.return?.().catch(() => {});
    onClose(verdict);
  };

  // A provider's error event may echo the request's headers: scrubbed as the JSON path scrubs.
  const fail = (e: unknown): GatewayError => {
    const fired = a.dog.fired();
    if (fired) return fired;
    const err = toGatewayError(e);
    if (err.kind === 'internal') return new GatewayError('upstream_error', `${adapter.name}: the stream failed`);
    const message = scrub(err.message, o.secrets);
    return message === err.message ? err : new GatewayError(err.kind, message, { status: err.status, code: err.code, param: err.param, headers: err.headers });
  };

  let first: StreamEvent[] | null;
  try {
    first = await pull();
  } catch (e) {
    a.close();
    throw fail(e);
  }
  return {
    first: first ?? [],
    async next() {
      try {
        return await pull();
      } catch (e) {
        throw fail(e);
      }
    },
    close,
  };
}
