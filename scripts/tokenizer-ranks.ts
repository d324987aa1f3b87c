/**
 * gpt-tokenizer's ranks are JavaScript array literals (o200k_base 2.4 MB, cl100k_base 1.2 MB),
 * parsed by every start of the binary although only a stream cut before its usage arrived counts
 * tokens (o200k_base, src/lib/tokenize.ts) and only token-id embedding input decodes them
 * (cl100k_base, src/providers/token-input.ts). The build embeds each as brotli-compressed JSON
 * instead (brotli: 0.77 and 0.35 MB), inflated when the encoder is first loaded: a few ms, once. Both the
 * ESM and the CommonJS copies are replaced, as either may be the one a module resolves.
 */
import type { BunPlugin } from 'bun';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliMax } from '../src/lib/brotli.ts';

const root = resolve(import.meta.dir, '..');
/** The encodings the gateway loads. */
export const ENCODINGS = ['o200k_base', 'cl100k_base'] as const;
export type Encoding = (typeof ENCODINGS)[number];
const RANKS = /node_modules\/gpt-tokenizer\/(?:esm|cjs)\/bpeRanks\/(o200k_base|cl100k_base)\.js$/;

/** The ranks as gpt-tokenizer ships them: a string per token, or its bytes when they are not UTF-8. */
export type Ranks = (string | number[])[];

export async function installedRanks(encoding: Encoding = 'o200k_base'): Promise<Ranks> {
  return ((await import(`gpt-tokenizer/bpeRanks/${encoding}`)) as { default: Ranks }).default;
}

/** Path of `.cache/gpt-tokenizer-<version>/<encoding>.json.br`, written when missing. */
export async function compressedRanks(encoding: Encoding = 'o200k_base'): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(root, 'node_modules/gpt-tokenizer/package.json'), 'utf8')) as { version: string };
  const dir = join(root, '.cache', `gpt-tokenizer-${version}`);
  const out = join(dir, `${encoding}.json.br`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${out}.tmp`, brotliMax(JSON.stringify(await installedRanks(encoding))));
  renameSync(`${out}.tmp`, out);
  return out;
}

/** Every encoding the gateway loads, compressed: what the build's plugin is given. */
export async function allCompressedRanks(): Promise<Record<Encoding, string>> {
  const out = {} as Record<Encoding, string>;
  for (const e of ENCODINGS) out[e] = await compressedRanks(e);
  return out;
}

/** The module that replaces gpt-tokenizer's ranks in the bundle: the same array, read from `br`. */
export function ranksModule(br: string): string {
  return [
    `import { readFileSync } from 'node:fs';`,
    `import { unbrotli } from ${JSON.stringify(resolve(root, 'src/lib/brotli.ts'))};`,
    `import br from ${JSON.stringify(br)} with { type: 'file' };`,
    `const bpe = JSON.parse(new TextDecoder().decode(unbrotli(readFileSync(br))));`,
    `export { bpe as default };`,
  ].join('\n');
}

/** Bundler plugin: gpt-tokenizer's ranks of each encoding come from its compressed copy. */
export function compressedTokenizerRanks(br: Record<Encoding, string>): BunPlugin {
  return {
    name: 'compressed-tokenizer-ranks',
    setup(build) {
      build.onLoad({ filter: RANKS }, ({ path }) => ({ contents: ranksModule(br[RANKS.exec(path)![1] as Encoding]), loader: 'js' }));
    },
  };
}
