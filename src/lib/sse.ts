import { EventSourceParserStream } from 'eventsource-parser/stream';
import { DONE, type StreamEvent } from '../providers/types.ts';
import { GatewayError } from './errors.ts';

/** Decodes an SSE body into events with parsed JSON data (OpenAI's `[DONE]` becomes DONE). */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncIterable<StreamEvent> {
  const text = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>);
  const stream = text.pipeThrough(new EventSourceParserStream());
  for await (const msg of stream) {
    const data = msg.data;
    if (data === '[DONE]') {
      yield { event: msg.event, data: DONE };
      continue;
    }
    if (data === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      throw new GatewayError('upstream_invalid', `Upstream sent a malformed stream event: ${data.slice(0, 120)}`);
    }
    yield { event: msg.event, data: parsed };
  }
}

const enc = new TextEncoder();

/** Encodes one event as an SSE frame. */
export function sseFrame(ev: StreamEvent): Uint8Array {
  const data = ev.data === DONE ? '[DONE]' : JSON.stringify(ev.data);
  return enc.encode(ev.event ? `event: ${ev.event}\ndata: ${data}\n\n` : `data: ${data}\n\n`);
}
