import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { GatewayError } from '../../lib/errors.ts';
import { eventTooLarge, MAX_SSE_EVENT } from '../../lib/sse.ts';
import type { StreamEvent } from '../types.ts';

/**
 * Decodes Gemini's `alt=sse` body. Two things differ from the generic `sseEvents`:
 * - When Google's front end fails after the stream started it appends the plain JSON error
 *   envelope (`{"error": {...}}`, no `data:` prefix) to the body. A plain SSE parser skips those
 *   lines as unknown fields and the failure goes unseen, so they are collected and surfaced as an
 *   `error` event (or `upstream_invalid` when they are not an error envelope).
 * - A final event that is not followed by a blank line is still delivered, because Gemini's last
 *   event is the one carrying `finishReason` and usage.
 */
export async function* geminiEvents(body: ReadableStream<Uint8Array>, maxEvent = MAX_SSE_EVENT): AsyncIterable<StreamEvent> {
  const ready: StreamEvent[] = [];
  let stray: string[] = [];
  let strayChars = 0;
  const flushStray = () => {
    if (stray.length === 0) return;
    const text = stray.join('\n');
    stray = [];
    strayChars = 0;
    ready.push({ event: 'error', data: parseErrorEnvelope(text) });
  };
  const parser = createParser({
    maxBufferSize: maxEvent,
    onEvent(msg: EventSourceMessage) {
      flushStray();
      if (msg.data === '') return;
      ready.push({ event: msg.event, data: parseData(msg.data) });
    },
    onError(err) {
      if (err.type === 'unknown-field' && err.line !== undefined) {
        stray.push(err.line);
        // Stray lines make one error envelope: the same bound as an event.
        if ((strayChars += err.line.length) > maxEvent) throw eventTooLarge(maxEvent);
      } else if (err.type === 'max-buffer-size-exceeded') throw eventTooLarge(maxEvent);
      else throw new GatewayError('upstream_invalid', `Gemini sent an unreadable stream: ${err.message}`);
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    yield* ready.splice(0);
  }
  // Completes a last line and dispatches a last event that had no blank line after it.
  parser.feed(decoder.decode() + '\n\n');
  flushStray();
  yield* ready.splice(0);
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new GatewayError('upstream_invalid', `Gemini sent a malformed stream event: ${data.slice(0, 120)}`);
  }
}

function parseErrorEnvelope(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new GatewayError('upstream_invalid', `Gemini sent non-SSE text in its stream: ${text.trim().slice(0, 120)}`);
  }
  const first = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
  if (!first || typeof first !== 'object' || !('error' in first)) {
    throw new GatewayError('upstream_invalid', 'Gemini sent non-SSE JSON in its stream');
  }
  return first;
}
