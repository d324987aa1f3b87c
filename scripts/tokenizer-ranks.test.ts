import { expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressedRanks, ENCODINGS, installedRanks, ranksModule } from './tokenizer-ranks.ts';

test.each([...ENCODINGS])('the compressed %s ranks module the build embeds yields the very ranks gpt-tokenizer ships', async (encoding) => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-ranks-'));
  try {
    const module = join(dir, 'ranks.js');
    writeFileSync(module, ranksModule(await compressedRanks(encoding)));
    const { default: embedded } = (await import(module)) as { default: unknown[] };
    const shipped = await installedRanks(encoding);
    expect(embedded.length).toBe(shipped.length);
    expect(embedded).toEqual(shipped);
    // Some ranks are raw bytes (not UTF-8): they must stay byte arrays, not become strings.
    expect(shipped.some((r) => Array.isArray(r))).toBe(embedded.some((r) => Array.isArray(r)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
