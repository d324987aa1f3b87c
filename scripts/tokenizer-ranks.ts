/**
 * gpt-tokenizer's o200k_base ranks are a 2.4 MB JavaScript array literal, parsed by every start
 * of the binary although only a stream cut before its usage arrived ever counts tokens. The build
 * embeds them as zstd-compressed JSON (0.8 MB) instead, inflated when the encoder is first
 * imported (src/lib/tokenize.ts imports it on first use): ~5 ms, once.
 */
import type { BunPlugin } from 'bun';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dir, '..');
const ZSTD_LEVEL = 19;
const RANKS = /node_modules\/gpt-tokenizer\/esm\/bpeRanks\/o200k_base\.js$/;

/** The ranks as gpt-tokenizer ships them: a string per token, or its bytes when they are not UTF-8. */
export type Ranks = (string | number[])[];

export async function installedRanks(): Promise<Ranks> {
  return ((await import('gpt-tokenizer/bpeRanks/o200k_base')) as { default: Ranks }).default;
}

/** Path of `.cache/gpt-tokenizer-<version>/o200k_base.json.zst`, written when missing. */
export async function compressedRanks(): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(root, 'node_modules/gpt-tokenizer/package.json'), 'utf8')) as { version: string };
  const dir = join(root, '.cache', `gpt-tokenizer-${version}`);
  const out = join(dir, 'o200k_base.json.zst');
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${out}.tmp`, Bun.zstdCompressSync(JSON.stringify(await installedRanks()), { level: ZSTD_LEVEL }));
  renameSync(`${out}.tmp`, out);
  return out;
}

/** The module that replaces gpt-tokenizer's ranks in the bundle: the same array, read from `zst`. */
export function ranksModule(zst: string): string {
  return [
    `import { readFileSync } from 'node:fs';`,
    `import zst from ${JSON.stringify(zst)} with { type: 'file' };`,
    `const bpe = JSON.parse(new TextDecoder().decode(Bun.zstdDecompressSync(readFileSync(zst))));`,
    `export { bpe as default };`,
  ].join('\n');
}

/** Bundler plugin: gpt-tokenizer's o200k_base ranks come from the compressed copy. */
export function compressedTokenizerRanks(zst: string): BunPlugin {
  return {
    name: 'compressed-tokenizer-ranks',
    setup(build) {
      build.onLoad({ filter: RANKS }, () => ({ contents: ranksModule(zst), loader: 'js' }));
    },
  };
}
