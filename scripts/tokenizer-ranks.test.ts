import { expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressedRanks, installedRanks, ranksModule } from './tokenizer-ranks.ts';

test('the compressed ranks module the build embeds yields the very ranks gpt-tokenizer ships', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-ranks-'));
  try {
    const module = join(dir, 'ranks.js');
    writeFileSync(module, ranksModule(await compressedRanks()));
    const { default: embedded } = (await import(module)) as { default: unknown[] };
    const shipped = await installedRanks();
    expect(embedded.length).toBe(shipped.length);
    expect(embedded).toEqual(shipped);
    // Some ranks are raw bytes (not UTF-8): they must stay byte arrays, not become strings.
    expect(shipped.some((r) => Array.isArray(r))).toBe(embedded.some((r) => Array.isArray(r)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
