/**
 * `npm run release` → dist/tollgate-<os>-<arch> for every target in scripts/targets.ts, each with
 * its own libSQL addon, and dist/SHA256SUMS (`sha256sum -c` format). A target whose inputs are
 * unchanged since its last build is reused, like dist/tollgate.
 *
 *   bun scripts/release.ts [--force] [--only linux-arm64,darwin-arm64]
 */
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from './build.ts';
import { TARGETS, type Target } from './targets.ts';

/** Builds `targets` into dist/ and writes dist/SHA256SUMS for them. */
export async function release(targets: readonly Target[] = TARGETS, force = false): Promise<void> {
  const started = performance.now();
  const lines: string[] = [];
  for (const target of targets) {
    const outfile = join('dist', `tollgate-${target.name}`);
    await build({ target, outfile, force });
    const sha = new Bun.CryptoHasher('sha256').update(await Bun.file(outfile).bytes()).digest('hex');
    lines.push(`${sha}  ${basename(outfile)}`);
  }
  await Bun.write('dist/SHA256SUMS', `${lines.join('\n')}\n`);
  console.log(`\n${targets.map((t) => `  tollgate-${t.name}  ${(statSync(join('dist', `tollgate-${t.name}`)).size / 1048576).toFixed(1)} MiB`).join('\n')}`);
  console.log(`wrote dist/SHA256SUMS (${targets.length} binaries) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { force: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const only = values.only?.split(',');
  const targets = only ? TARGETS.filter((t) => only.includes(t.name)) : TARGETS;
  if (only && targets.length !== only.length) throw new Error(`unknown target in --only ${values.only}; known: ${TARGETS.map((t) => t.name).join(', ')}`);
  await release(targets, values.force);
}
