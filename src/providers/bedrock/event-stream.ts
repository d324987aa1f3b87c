import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { GatewayError } from '../../lib/errors.ts';
import type { StreamEvent } from '../types.ts';
import { streamException } from './bedrock-error.ts';

/** Prelude (total length, headers length, prelude CRC) plus the trailing message CRC. */
const MIN_FRAME = 16;
/** AWS caps an event-stream message at 16 MiB; anything larger is a corrupt length. */
const MAX_FRAME = 16 * 1024 * 1024;

/**
 * Decodes an `application/vnd.amazon.eventstream` body into events. Network chunks do not
 * respect frame boundaries (a frame may span many chunks, a chunk may hold many frames), so
 * bytes are buffered until the prelude's total length is available, then each whole frame is
 * decoded (and its CRCs checked) by the Smithy codec.
 */
export async function* bedrockEvents(body: ReadableStream<Uint8Array>, provider = 'bedrock', maxFrame = MAX_FRAME): AsyncIterable<StreamEvent> {
  const limit = Math.min(maxFrame, MAX_FRAME);
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const reader = body.getReader();
  let buf: Uint8Array = new Uint8Array(0);
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      buf = concat(buf, value);
      for (;;) {
        if (buf.length < 4) break;
        const total = new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0);
        if (total < MIN_FRAME || total > MAX_FRAME) {
          throw new GatewayError('upstream_invalid', `${provider} sent an event-stream frame with an impossible length (${total})`);
        }
        if (total > limit) throw new GatewayError('upstream_invalid', `${provider} sent a stream event larger than ${limit} bytes (routing.limits.sse_event_bytes).`, { code: 'upstream_event_too_large' });
        if (buf.length < total) break;
        const frame = buf.subarray(0, total);
        buf = buf.subarray(total);
        const ev = toEvent(decode(codec, frame, provider), provider);
        if (ev) yield ev;
      }
    }
  } finally {
    // On an error or an early stop by the consumer, drop the upstream connection.
    if (finished) reader.releaseLock();
    else await reader.cancel().catch(() => undefined);
  }
  if (buf.length > 0) throw new GatewayError('upstream_invalid', `${provider} closed the event stream in the middle of a frame`);
}

function decode(codec: EventStreamCodec, frame: Uint8Array, provider: string): Message {
  try {
    return codec.decode(frame);
  } catch (e) {
    // The codec throws plain Errors for checksum mismatches and malformed headers.
    const why = e instanceof Error ? e.message : String(e);
    throw new GatewayError('upstream_invalid', `${provider} sent a corrupt event-stream frame: ${why.slice(0, 200)}`);
  }
}

function toEvent(msg: Message, provider: string): StreamEvent | undefined {
  const header = (name: string): string | undefined => {
    const h = msg.headers[name];
    return h && h.type === 'string' ? h.value : undefined;
  };
  const messageType = header(':message-type') ?? 'event';
  const text = toUtf8(msg.body);
  if (messageType === 'exception') {
    throw streamException(provider, header(':exception-type') ?? 'exception', messageOf(text));
  }
  if (messageType === 'error') {
    // The generic event-stream error form carries its details in headers, not the payload.
    throw streamException(provider, header(':error-code') ?? 'error', header(':error-message'));
  }
  const event = header(':event-type');
  if (!event) throw new GatewayError('upstream_invalid', `${provider} sent an event-stream frame without :event-type`);
  if (text === '') return { event, data: {} };
  try {
    return { event, data: JSON.parse(text) as unknown };
  } catch {
    throw new GatewayError('upstream_invalid', `${provider} sent a malformed ${event} event: ${text.slice(0, 120)}`);
  }
}

function messageOf(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { message?: unknown; Message?: unknown };
    const m = j.message ?? j.Message;
    return typeof m === 'string' ? m : undefined;
  } catch {
    return text.trim() || undefined;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
