/**
 * What @smithy/core's ES build takes from node:crypto and node:zlib, without loading either at
 * start-up (scripts/build.ts resolves its imports here). Its serde module imports node:crypto for
 * getRandomValues (UUIDs) and its CRC-32 imports node:zlib for crc32, both at module evaluation:
 * loading node:crypto builds Node's stream classes, ~5 % of a start's main-thread CPU, for a
 * codec only Bedrock's event stream runs. Web Crypto's getRandomValues is the same function;
 * zlib's native crc32 is loaded on the first checksum.
 */
import type * as Zlib from 'node:zlib';

export const getRandomValues = <T extends ArrayBufferView | null>(array: T): T => crypto.getRandomValues(array as never) as T;

let zlibCrc32: typeof Zlib.crc32 | undefined;
export function crc32(data: string | NodeJS.ArrayBufferView, value?: number): number {
  zlibCrc32 ??= (process.getBuiltinModule('node:zlib') as typeof Zlib).crc32;
  return zlibCrc32(data, value);
}
