import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../lib/cache-dir.ts';
import { compilerId } from './compiler/index.ts';
import { precompiledPolicies } from './embedded/precompiled.ts';
import type { LoadedPolicy } from './loader.ts';
import { schemasDigest } from './schemas.ts';
import type { DataDocument, PolicySources } from './policy-files.ts';

/**
 * Compiled policies by content: a policy whose sources, own data files and entrypoint were
 * compiled and tested before is not compiled again (config `policy.data` is laid over an entry,
 * see withData in loader.ts). This keeps the ~200 MiB compiler out of most starts and
 * makes a restart fast. Entries are named by a sha-256 of everything that goes into them plus
 * the compiler build (a hash of its wasm), so a stale entry can never be served.
 */
export interface CompileCache {
  get(key: string): LoadedPolicy | undefined;
  put(key: string, policy: LoadedPolicy): void;
}

/** The cache key of a policy: its sources (tests included), its own data files merged, entrypoint, the schemas it is checked against and the compiler build. */
export function compileKey(sources: PolicySources, data: DataDocument, entrypoint: string): Promise<string> {
  return contentKey(sources, data, `${entrypoint}\0${schemasDigest()}`);
}

/**
 * A sha-256 of the compiler build, what the result is for (an entrypoint; a purpose such as
 * `opa test`, which no entrypoint can be) and everything the result is made from.
 */
export async function contentKey(sources: PolicySources, data: DataDocument, purpose: string): Promise<string> {
  const h = new Bun.CryptoHasher('sha256').update(await compilerId()).update('\0').update(purpose).update('\0');
  for (const path of Object.keys(sources.files).sort()) h.update(path).update('\0').update(sources.files[path]!).update('\0');
  h.update(JSON.stringify(data));
  return h.digest('hex');
}

/** A cache in memory, seeded with entries (the binary's precompiled default policies) and backed by a directory when given. */
export function compileCache(opts: { dir?: string; seed?: { key: string; policy: LoadedPolicy }[] } = {}): CompileCache {
  const mem = new Map<string, LoadedPolicy>();
  for (const s of opts.seed ?? []) mem.set(s.key, s.policy);
  return {
    get(key) {
      const hit = mem.get(key);
      if (hit || !opts.dir) return hit;
      try {
        const meta = JSON.parse(readFileSync(join(opts.dir, `${key}.json`), 'utf8')) as Omit<LoadedPolicy, 'wasm'>;
        const policy = { ...meta, wasm: new Uint8Array(readFileSync(join(opts.dir, `${key}.wasm`))) };
        mem.set(key, policy);
        return policy;
      } catch {
        return undefined;
      }
    },
    put(key, policy) {
      mem.set(key, policy);
      if (!opts.dir) return;
      try {
        mkdirSync(opts.dir, { recursive: true });
        const { wasm, ...meta } = policy;
        // Write then rename, so a reader never sees half a file.
        writeFileSync(join(opts.dir, `${key}.wasm.tmp`), wasm);
        renameSync(join(opts.dir, `${key}.wasm.tmp`), join(opts.dir, `${key}.wasm`));
        writeFileSync(join(opts.dir, `${key}.json.tmp`), JSON.stringify(meta));
        renameSync(join(opts.dir, `${key}.json.tmp`), join(opts.dir, `${key}.json`));
      } catch {
        /* a read-only disk only costs a recompile next start */
      }
    },
  };
}

/**
 * The cache the CLI commands that compile (policy check, policy eval, doctor) share, like
 * `go test`'s: in the user's cache directory (see lib/cache-dir.ts), seeded with the built-in
 * policies the build compiled. Without a cache directory it is the seed alone.
 */
export async function userCompileCache(env: NodeJS.ProcessEnv = process.env): Promise<CompileCache> {
  const dir = cacheDir(env);
  const seed = await precompiledPolicies();
  return compileCache({ dir: dir ? join(dir, 'policies') : undefined, seed: seed ? [seed] : [] });
}
