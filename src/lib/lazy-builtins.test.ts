import { describe, expect, test } from 'bun:test';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32, getRandomValues } from './lazy-builtins.ts';

// The binary's Bedrock event-stream codec checks each frame with this CRC and draws UUIDs from
// these random values: they must be node's own, only loaded later.
describe('lazy builtins for @smithy/core', () => {
  test('crc32 is zlib crc32, with and without a running value', () => {
    const frame = new TextEncoder().encode('\x00\x00\x00\x10event-stream frame');
    expect(crc32(frame)).toBe(zlibCrc32(frame));
    expect(crc32('tail', crc32(frame))).toBe(zlibCrc32('tail', zlibCrc32(frame)));
    expect(crc32(new Uint8Array())).toBe(0);
  });

  test('getRandomValues fills the array it is given and returns it', () => {
    const a = new Uint8Array(64);
    expect(getRandomValues(a)).toBe(a);
    expect(a.some((b) => b !== 0)).toBe(true);
  });
});
