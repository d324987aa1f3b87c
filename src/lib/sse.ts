import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { DONE, type StreamEvent } from '../providers/types.ts';
import { GatewayError } from './errors.ts';

/** The default bound on one SSE event or unterminated line (routing.limits.sse_event_bytes). */
export const MAX_SSE_EVENT = 1024 * 1024;

/**
 * Decodes an SSE body into events with parsed JSON data (OpenAI's `[DONE]` becomes DONE).
 * The parser holds at most `maxEvent` characters of an unfinished line or event: an upstream
 * that never ends its line fails the stream instead of growing the heap.
 */
export async function* sseEvents(body: ReadableStream<Uint8Array>, maxEvent = MAX_SSE_EVENT): AsyncIterable<StreamEvent> {
  // Raw messages; each is parsed as it is yielded, so the events before a malformed one go out.
  const ready: EventSourceMessage[] = [];
  const parser = createParser({
    maxBufferSize: maxEvent,
    onEvent: (msg) => void ready.push(msg),
    onError(err) {
      if (err.type === 'max-buffer-size-exceeded') throw eventTooLarge(maxEvent);
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    for (const msg of ready.splice(0)) if (msg.data !== '') yield toEvent(msg);
  }
  parser.feed(decoder.decode());
  for (const msg of ready.splice(0)) if (msg.data !== '') yield toEvent(msg);
}

function toEvent(msg: EventSourceMessage): StreamEvent {
  return { event: msg.event, data: msg.data === '[DONE]' ? DONE : parseData(msg.data) };
}

/** The stream error for an event past the bound. */
export function eventTooLarge(max: number): GatewayError {
  return new GatewayError('upstream_invalid', `Upstream sent a stream event larger than ${max} bytes (routing.limits.sse_event_bytes).`, { code: 'upstream_event_too_large' });
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new GatewayError('upstream_invalid', `Upstream sent a malformed stream event: ${data.slice(0, 120)}`);
  }
}

const enc = new TextEncoder();

/** Encodes one event as an SSE frame. */
export function sseFrame(ev: StreamEvent): Uint8Array {
  const data = ev.data === DONE ? '[DONE]' : JSON.stringify(ev.data);
  return enc.encode(ev.event ? `event: ${ev.event}\ndata: ${data}\n\n` : `data: ${data}\n\n`);
}
