/**
 * Brotli at its densest, for the large assets the build embeds (the Rego compiler wasm, the
 * libSQL addon, tokenizer ranks): 5-6 % smaller than zstd 19 and inflated about as fast. node:zlib
 * is loaded only when something is compressed or inflated, never by a start that needs neither.
 */
import type * as Zlib from 'node:zlib';

const zlib = (): typeof Zlib => process.getBuiltinModule('node:zlib') as typeof Zlib;

/** Quality 11 with the largest standard window (16 MiB): slow (~1 s per MB), done once per input. */
export function brotliMax(bytes: Uint8Array | string): Uint8Array {
  const { constants: c, brotliCompressSync } = zlib();
  const input = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return brotliCompressSync(input, {
    params: { [c.BROTLI_PARAM_QUALITY]: 11, [c.BROTLI_PARAM_LGWIN]: 24, [c.BROTLI_PARAM_SIZE_HINT]: input.length },
  });
}

export function unbrotli(bytes: Uint8Array): Uint8Array {
  return zlib().brotliDecompressSync(bytes);
}
