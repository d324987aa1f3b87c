import { describe, expect, test } from 'bun:test';
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { GatewayError } from '../../lib/errors.ts';
import { byteStream, cassette, collect, randomSizes } from '../../../test/mocks/bedrock-fixtures.ts';
import { bedrockEvents } from './event-stream.ts';

const STREAM = 'pydantic-ai_test_bedrock_test_bedrock_model_stream.yaml';
const TOOL_STREAM = 'pydantic-ai_test_bedrock_test_bedrock_model_iter_stream.yaml';
const codec = new EventStreamCodec(toUtf8, fromUtf8);

function wire(name: string, i = 0): Uint8Array {
  const bytes = cassette(name)[i]!.bytes;
  if (!bytes) throw new Error(`${name} has no binary body`);
  return bytes;
}

const str = (value: string) => ({ type: 'string' as const, value });
function frame(headers: MessageHeaders, payload: string): Uint8Array {
  return codec.encode({ headers, body: fromUtf8(payload) });
}

async function failure(p: Promise<unknown>): Promise<GatewayError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(e)}`);
  return e;
}

describe('bedrockEvents (AWS event stream)', () => {
  test('decodes a recorded ConverseStream body into typed events', async () => {
    const events = await collect(bedrockEvents(byteStream(wire(STREAM))));
    expect(events[0]).toEqual({ event: 'messageStart', data: { p: 'abcdefghijklmnopqr', role: 'assistant' } });
    expect(events.map((e) => e.event).filter((t, i, a) => a.indexOf(t) === i)).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);
    const text = events.filter((e) => e.event === 'contentBlockDelta').map((e) => (e.data as { delta: { text: string } }).delta.text).join('');
    expect(text.startsWith('The capital of France is Paris. Paris is not only the capital city but also the most populous city in France')).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'metadata', data: { usage: { inputTokens: 13, outputTokens: 82, totalTokens: 95 } } });
  });

  test('reassembles frames split into 1-byte chunks and random-size chunks identically', async () => {
    for (const name of [STREAM, TOOL_STREAM]) {
      const bytes = wire(name);
      const whole = await collect(bedrockEvents(byteStream(bytes)));
      expect(await collect(bedrockEvents(byteStream(bytes, [1])))).toEqual(whole);
      for (const seed of [1, 7, 42]) expect(await collect(bedrockEvents(byteStream(bytes, randomSizes(seed))))).toEqual(whole);
    }
  });

  test('handles several frames in one chunk followed by a frame spread over chunks', async () => {
    const a = wire(TOOL_STREAM, 1);
    const whole = await collect(bedrockEvents(byteStream(a)));
    // First chunk: three and a half frames; then the rest in 5-byte pieces.
    const lens: number[] = [];
    for (let off = 0; off < a.length; ) {
      const n = new DataView(a.buffer, a.byteOffset + off).getUint32(0);
      lens.push(n);
      off += n;
    }
    const first = lens[0]! + lens[1]! + lens[2]! + Math.floor(lens[3]! / 2);
    expect(await collect(bedrockEvents(byteStream(a, [first, ...Array(400).fill(5)])))).toEqual(whole);
    expect(whole.at(-2)).toMatchObject({ event: 'messageStop', data: { stopReason: 'end_turn' } });
  });

  test('a corrupted payload fails the CRC check as upstream_invalid', async () => {
    const bytes = wire(STREAM).slice();
    bytes[60] ^= 0xff; // inside the first frame's payload
    const e = await failure(collect(bedrockEvents(byteStream(bytes))));
    expect(e.kind).toBe('upstream_invalid');
    expect(e.message).toContain('corrupt event-stream frame');
  });

  test('a corrupted prelude is upstream_invalid too', async () => {
    const bytes = wire(STREAM).slice();
    bytes[5] ^= 0x01; // headers length; the prelude CRC no longer matches
    expect((await failure(collect(bedrockEvents(byteStream(bytes))))).kind).toBe('upstream_invalid');
  });

  test('a body cut mid-frame is upstream_invalid', async () => {
    const bytes = wire(STREAM);
    const e = await failure(collect(bedrockEvents(byteStream(bytes.slice(0, bytes.length - 10), [3]))));
    expect(e.kind).toBe('upstream_invalid');
    expect(e.message).toContain('middle of a frame');
  });

  test('an impossible frame length is rejected before buffering', async () => {
    const bytes = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    expect((await failure(collect(bedrockEvents(byteStream(bytes))))).kind).toBe('upstream_invalid');
  });

  test('a throttlingException frame becomes rate_limited with the service message', async () => {
    const ok = frame({ ':event-type': str('messageStart'), ':content-type': str('application/json'), ':message-type': str('event') }, '{"role":"assistant"}');
    const exc = frame(
      { ':exception-type': str('throttlingException'), ':content-type': str('application/json'), ':message-type': str('exception') },
      '{"message":"Too many tokens, please wait before trying again."}',
    );
    const seen: unknown[] = [];
    const e = await failure((async () => {
      for await (const ev of bedrockEvents(byteStream(concat(ok, exc), [7]), 'my-bedrock')) seen.push(ev);
    })());
    expect(seen).toEqual([{ event: 'messageStart', data: { role: 'assistant' } }]);
    expect(e.kind).toBe('rate_limited');
    expect(e.code).toBe('throttlingException');
    expect(e.message).toBe('my-bedrock stream error (throttlingException): Too many tokens, please wait before trying again.');
  });

  test('other exception frames and generic error frames are upstream_error', async () => {
    const exc = frame({ ':exception-type': str('modelStreamErrorException'), ':message-type': str('exception') }, '{"message":"Model stream failed"}');
    const e1 = await failure(collect(bedrockEvents(byteStream(exc))));
    expect([e1.kind, e1.message]).toEqual(['upstream_error', 'bedrock stream error (modelStreamErrorException): Model stream failed']);
    const err = frame({ ':message-type': str('error'), ':error-code': str('InternalFailure'), ':error-message': str('boom') }, '');
    const e2 = await failure(collect(bedrockEvents(byteStream(err))));
    expect([e2.kind, e2.message]).toEqual(['upstream_error', 'bedrock stream error (InternalFailure): boom']);
  });

  test('an event with a non-JSON payload is upstream_invalid', async () => {
    const bad = frame({ ':event-type': str('contentBlockDelta'), ':message-type': str('event') }, '{"delta":');
    expect((await failure(collect(bedrockEvents(byteStream(bad))))).kind).toBe('upstream_invalid');
  });
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

describe('bedrockEvents cleanup', () => {
  test('a decoding failure cancels the upstream body', async () => {
    let cancelled = false;
    const bytes = wire(STREAM).slice();
    bytes[60] ^= 0xff;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(bytes);
      },
      cancel() {
        cancelled = true;
      },
    });
    await collect(bedrockEvents(body)).catch(() => undefined);
    expect(cancelled).toBe(true);
  });
});

test('a frame longer than the event bound fails at its prelude, before its bytes are buffered', async () => {
  const prelude = new Uint8Array(12);
  new DataView(prelude.buffer).setUint32(0, 2 * 1024 * 1024);
  const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(prelude) });
  const read = async () => {
    for await (const _ of bedrockEvents(body, 'bedrock', 1024 * 1024)) void _;
  };
  await expect(read()).rejects.toThrow('larger than 1048576 bytes');
});
