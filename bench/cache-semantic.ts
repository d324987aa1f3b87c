/**
 * What a semantic cache lookup costs in the database (the embedding call is not counted: it is an
 * upstream request of its own). A file database holds N vectors of --dims dimensions in two
 * layouts, and each is asked --queries times for a near duplicate (a hit) and for a random
 * question (a miss), p50 and p99 in ms:
 *   one bucket   all N rows in one scope and context: the vector_top_k (ANN) path
 *   many buckets N rows over N/100 scopes: each lookup scans its own bucket of ~100 exactly
 *
 *   bun bench/cache-semantic.ts [--sizes 10000,100000] [--dims 256] [--queries 200] [--layouts 'one bucket,many buckets']
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSemanticStore, type VectorRow } from '../src/cache/semantic-store.ts';
import { openStore } from '../src/store/client.ts';
import { migrate } from '../src/store/migrate.ts';
import { prng } from '../test/support/prng.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '10000,100000' }, dims: { type: 'string', default: '256' }, queries: { type: 'string', default: '200' }, layouts: { type: 'string', default: 'one bucket,many buckets' } } });
const sizes = values.sizes.split(',').map(Number);
const DIMS = Number(values.dims);
const QUERIES = Number(values.queries);
const random = prng(42);
const gauss = () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
const randomVector = () => Float32Array.from({ length: DIMS }, gauss);
/** A vector at cosine ~0.99 to `v` (a paraphrase). */
const nearTo = (v: Float32Array) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n + (gauss() * 0.1) / Math.sqrt(DIMS));
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const out: string[] = [`semantic lookup, file database, ${DIMS} dimensions (+64 tag), ${QUERIES} lookups each`];
for (const size of sizes) {
  for (const layout of values.layouts.split(',') as ('one bucket' | 'many buckets')[]) {
    const dir = mkdtempSync(join(tmpdir(), 'tg-semantic-bench-'));
    const db = await openStore({ url: `file:${join(dir, 'b.db')}`, statement_timeout_ms: 600_000 });
    await migrate(db.client);
    const store = await openSemanticStore(db.client, { dims: DIMS, maxEntries: size * 2, now: () => 0 });
    const scopeOf = (i: number) => (layout === 'one bucket' ? 'team:big' : `team:${i % Math.max(1, size / 100)}`);
    const kept: { scope: string; v: Float32Array }[] = [];
    const fill0 = performance.now();
    for (let i = 0; i < size; i += 100) {
      const rows: VectorRow[] = [];
      for (let j = i; j < Math.min(size, i + 100); j++) {
        const v = randomVector();
        if (kept.length < QUERIES && j % Math.max(1, Math.floor(size / QUERIES)) === 0) kept.push({ scope: scopeOf(j), v });
        rows.push({ scope: scopeOf(j), context: 'ctx', embedder: 'bench', entryKey: `e${j}`, vector: v, expiresAt: 1 });
      }
      await store.addMany(rows);
    }
    const fillS = (performance.now() - fill0) / 1000;
    const time = async (q: () => Promise<unknown>) => {
      const t0 = performance.now();
      const r = await q();
      return { ms: performance.now() - t0, r };
    };
    const hitMs: number[] = [];
    const missMs: number[] = [];
    let hits = 0;
    for (const k of kept) {
      const h = await time(() => store.nearest({ scope: k.scope, context: 'ctx', embedder: 'bench', vector: nearTo(k.v), threshold: 0.95 }));
      hitMs.push(h.ms);
      if (h.r) hits++;
      const m = await time(() => store.nearest({ scope: k.scope, context: 'ctx', embedder: 'bench', vector: randomVector(), threshold: 0.95 }));
      missMs.push(m.ms);
    }
    out.push(`${String(size).padStart(6)} rows, ${layout.padEnd(12)}: hit p50 ${pct(hitMs, 50).toFixed(2)} ms p99 ${pct(hitMs, 99).toFixed(2)} ms (found ${hits}/${kept.length}); miss p50 ${pct(missMs, 50).toFixed(2)} ms p99 ${pct(missMs, 99).toFixed(2)} ms; fill ${fillS.toFixed(0)} s`);
    console.log(out.at(-1));
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(out.join('\n'));
