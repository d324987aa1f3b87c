import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/client.ts';
import { migrate } from '../store/migrate.ts';
import { startSqld, type Sqld } from '../../test/helpers/sqld.ts';
import { openSemanticStore, removeVectorsEverywhere, vectorTable, type SemanticStore, type VectorRow } from './semantic-store.ts';
import { prng } from '../../test/support/prng.ts';

const DIMS = 8;
const unit = (xs: number[]) => {
  const n = Math.hypot(...xs) || 1;
  return new Float32Array(xs.map((x) => x / n));
};
/** A vector at angle `a` (radians) from e0 in the e0/e1 plane, plus a tilt into dimension `d`. */
const near = (a: number, d = 2, tilt = 0) => {
  const xs = new Array<number>(DIMS).fill(0);
  xs[0] = Math.cos(a);
  xs[1] = Math.sin(a);
  xs[d] = tilt;
  return unit(xs);
};
const Q = near(0);
/** The vector with zeros after it, to `n` dimensions. */
const pad = (v: Float32Array, n = 16) => Float32Array.from({ length: n }, (_, i) => v[i] ?? 0);
const row = (over: Partial<VectorRow> & { entryKey: string }): VectorRow => ({ scope: 'team:a', context: 'ctx', embedder: 'emb', vector: Q, expiresAt: 10_000, ...over });
const ask = (s: SemanticStore, over: Partial<Parameters<SemanticStore['nearest']>[0]> = {}) => s.nearest({ scope: 'team:a', context: 'ctx', embedder: 'emb', vector: Q, threshold: 0.95, ...over });

/** The same behaviour on every kind of database Tollgate opens. */
function suite(name: string, open: () => Promise<{ store: Store; writer?: Store; settle?: () => Promise<void> }>) {
  describe(name, () => {
    let db: Store;
    let settle: () => Promise<void> = async () => {};
    let now = 1_000;
    const fresh = async (o: { maxEntries?: number; exactScanMax?: number; dims?: number; fallbackScanMax?: number } = {}) => {
      const s = await openSemanticStore(db.client, { dims: o.dims ?? DIMS, maxEntries: o.maxEntries ?? 100_000, now: () => now, exactScanMax: o.exactScanMax, fallbackScanMax: o.fallbackScanMax, firstK: 8 });
      await s.purge();
      await settle();
      return s;
    };
    beforeAll(async () => {
      const o = await open();
      db = o.store;
      if (o.settle) settle = o.settle;
    });
    afterAll(() => db?.close());

    test('a purge without a running index (the CLI) removes the purged entries\u2019 vectors from every space', async () => {
      const s = await fresh();
      const other = await openSemanticStore(db.client, { dims: DIMS * 2, maxEntries: 1000, now: () => now });
      await s.add(row({ entryKey: 'gone' }));
      await s.add(row({ entryKey: 'kept', vector: near(0.1) }));
      await other.add(row({ entryKey: 'gone', vector: pad(Q) }));
      await settle();
      await removeVectorsEverywhere(db.client, ['gone']);
      await settle();
      const left = async (dims: number) => (await db.client.execute(`SELECT entry_key FROM ${vectorTable(dims)} ORDER BY entry_key`)).rows.map((r) => r.entry_key);
      expect(await left(DIMS)).toEqual(['kept']);
      expect(await left(DIMS * 2)).toEqual([]);
    });

    test('the nearest row of the same bucket at or above the threshold is a hit; below it, or in another bucket, a miss', async () => {
      now = 1_000;
      const s = await fresh();
      await s.add(row({ entryKey: 'close', vector: near(0.2) })); // cos 0.980
      await s.add(row({ entryKey: 'far', vector: near(0.5) })); // cos 0.878
      await s.add(row({ entryKey: 'other-team', scope: 'team:b', vector: Q }));
      await s.add(row({ entryKey: 'other-context', context: 'ctx2', vector: Q }));
      await s.add(row({ entryKey: 'other-model', embedder: 'emb2', vector: Q }));
      await settle();
      const hit = await ask(s);
      expect(hit?.entryKey).toBe('close');
      expect(hit!.similarity).toBeCloseTo(Math.cos(0.2), 4);
      expect(await ask(s, { threshold: 0.99 })).toBeUndefined();
      expect((await ask(s, { scope: 'team:b' }))?.entryKey).toBe('other-team');
      expect(await ask(s, { scope: 'team:c' })).toBeUndefined();
    });

    test('an expired row is never a hit, and the sweep deletes it', async () => {
      now = 1_000;
      const s = await fresh();
      await s.add(row({ entryKey: 'soon', expiresAt: 2_000 }));
      await settle();
      expect((await ask(s))?.entryKey).toBe('soon');
      now = 2_000;
      expect(await ask(s)).toBeUndefined();
      expect(await s.sweep()).toBe(1);
      await settle();
      expect(await s.count()).toBe(0);
    });

    test('the bound evicts the oldest rows', async () => {
      now = 1_000;
      const s = await fresh({ maxEntries: 20 });
      for (let i = 0; i < 25; i++) await s.add(row({ entryKey: `e${i}`, vector: near(0.01 * i) }));
      await settle();
      expect(await s.count()).toBeLessThanOrEqual(21);
      // The first rows (the nearest to Q) went first.
      expect((await ask(s))?.entryKey).not.toBe('e0');
    });

    test("another tenant's many nearer vectors do not crowd out this tenant's hit (the ANN path)", async () => {
      now = 1_000;
      // A table no test deleted from (deletions cost the index paths, see below); exactScanMax 4
      // forces vector_top_k once a bucket has more than 4 rows. (The graph search alone missed it
      // now and then, 2 runs of about 15; the fallback scan covers those. The ranking that makes
      // the search find it is tested in semantic-partition.test.ts.)
      const s = await fresh({ dims: 16, exactScanMax: 4 });
      const crowd: VectorRow[] = [];
      for (let i = 0; i < 300; i++) crowd.push(row({ entryKey: `b${i}`, scope: 'team:b', vector: pad(near(0.0005 * (i + 1), 2 + (i % 6), 0.001)) }));
      await s.addMany(crowd);
      // Ours is further from Q than all 300 of theirs (cos 0.97), in a bucket big enough for the ANN path.
      await s.addMany(Array.from({ length: 6 }, (_, i) => row({ entryKey: `a${i}`, vector: pad(near(0.25 + 0.05 * i)) })));
      await settle();
      const hit = await ask(s, { vector: pad(Q) });
      expect(hit?.entryKey).toBe('a0');
      expect(hit!.similarity).toBeGreaterThan(0.95);
      // And a tenant with nothing near gets nothing, however many near vectors others hold.
      expect(await ask(s, { scope: 'team:c', vector: pad(Q) })).toBeUndefined();
    });

    test('after deletions cost the index its paths, a bucket the graph search does not reach is scanned', async () => {
      now = 1_000;
      const s = await fresh({ exactScanMax: 4 });
      for (let round = 0; round < 3; round++) {
        await s.addMany(Array.from({ length: 60 }, (_, i) => row({ entryKey: `old${round}-${i}`, vector: near(0.01 * i, 2 + (i % 6), 0.3) })));
        await s.purge();
        await s.addMany(Array.from({ length: 300 }, (_, i) => row({ entryKey: `b${round}-${i}`, scope: 'team:b', vector: near(0.0005 * (i + 1), 2 + (i % 6), 0.001) })));
        await s.addMany(Array.from({ length: 6 }, (_, i) => row({ entryKey: `a${round}-${i}`, vector: near(0.25 + 0.05 * i) })));
        await settle();
        expect((await ask(s))?.entryKey).toBe(`a${round}-0`);
        await s.purge();
      }
    });

    test('property: across tenants with the same questions, a hit is always the asking tenant\'s and is found whenever one exists (ANN path)', async () => {
      now = 1_000;
      const s = await fresh({ exactScanMax: 4 });
      const random = prng(7);
      const scopes = ['team:a', 'team:b', 'team:c', 'key:k1', 'global'];
      // The same 30 questions asked by every tenant, each with a small twist of its own.
      const questions = Array.from({ length: 30 }, (_, i) => near(i * 0.2, 2 + (i % 6), 0.3));
      const rows: VectorRow[] = [];
      for (const scope of scopes) for (const [i, v] of questions.entries()) rows.push(row({ entryKey: `${scope}/${i}`, scope, vector: unit([...v].map((x) => x + (random() - 0.5) * 0.02)) }));
      await s.addMany(rows);
      await settle();
      for (let n = 0; n < 40; n++) {
        const scope = scopes[Math.floor(random() * scopes.length)]!;
        const i = Math.floor(random() * questions.length);
        const q = unit([...questions[i]!].map((x) => x + (random() - 0.5) * 0.02));
        const hit = await ask(s, { scope, vector: q });
        expect(hit?.entryKey.split('/')[0]).toBe(scope);
        // The best of the tenant's own rows by exact cosine is the one returned.
        const best = rows.filter((r) => r.scope === scope).map((r) => ({ k: r.entryKey, c: r.vector.reduce((sum, x, j) => sum + x * q[j]!, 0) })).sort((a, b) => b.c - a.c)[0]!;
        expect(hit!.entryKey).toBe(best.k);
        expect(hit!.similarity).toBeCloseTo(best.c, 4);
      }
    });

    test('a vector of the wrong dimension is refused with a message naming both', async () => {
      const s = await fresh();
      await expect(s.add(row({ entryKey: 'x', vector: new Float32Array(3) }))).rejects.toThrow('3 dimensions cannot go in the 8-dimension');
      expect(openSemanticStore(db.client, { dims: 0, maxEntries: 1, now: () => now })).rejects.toThrow('whole number');
    });

    test('two dimensions live side by side in tables of their own', async () => {
      const s4 = await fresh({ dims: 4 });
      await s4.add(row({ entryKey: 'four', vector: new Float32Array([1, 0, 0, 0]) }));
      await settle();
      expect((await s4.nearest({ scope: 'team:a', context: 'ctx', embedder: 'emb', vector: new Float32Array([1, 0, 0, 0]), threshold: 0.95 }))?.entryKey).toBe('four');
      const spaces = await db.client.execute('SELECT dims FROM cache_semantic_spaces ORDER BY dims');
      expect(spaces.rows.map((r) => Number(r.dims))).toEqual(expect.arrayContaining([4, 8]));
    });
  });
}

const tmp = () => mkdtempSync(join(tmpdir(), 'tollgate-semantic-'));

suite('local file database', async () => {
  const store = await openStore({ url: `file:${join(tmp(), 'db.sqlite')}` });
  await migrate(store.client);
  return { store };
});

let sqld: Sqld | undefined;
let replicaSqld: Sqld | undefined;
afterAll(async () => {
  await sqld?.stop();
  await replicaSqld?.stop();
});

suite('sqld', async () => {
  sqld = await startSqld();
  const store = await openStore({ url: sqld.url });
  await migrate(store.client);
  return { store };
});

suite('embedded replica of sqld', async () => {
  replicaSqld = await startSqld();
  const primary = await openStore({ url: replicaSqld.url });
  await migrate(primary.client);
  primary.close();
  const store = await openStore({ url: `file:${join(tmp(), 'replica.db')}`, sync_url: replicaSqld.url, sync_interval_s: 3600 });
  // Writes go to the primary; reads are local after a sync.
  return { store, settle: async () => void (await store.client.sync()) };
});
