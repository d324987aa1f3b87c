import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../lib/cache-dir.ts';
import { contentKey } from './compile-cache.ts';
import type { RegoTestResult } from './compiler/types.ts';
import type { DataDocument, PolicySources } from './policy-files.ts';
import { schemasDigest } from './schemas.ts';

/**
 * Passing `policy test` runs by content, as `go test` caches them: the same sources (tests
 * included), data and compiler build pass the same way, so the report is replayed instead of
 * starting the compiler. Only passing runs are kept; a failure is always run again and shown fresh.
 */
export interface TestCache {
  get(key: string): RegoTestResult[] | undefined;
  put(key: string, results: RegoTestResult[]): void;
}

/** `opa test` contains a space, so no entrypoint's compile entry can share this key. */
export const testKey = (sources: PolicySources, data: DataDocument): Promise<string> => contentKey(sources, data, `opa test\0${schemasDigest()}`);

/** A cache backed by `dir` (in memory only without one). */
export function testCache(dir: string | undefined): TestCache {
  const mem = new Map<string, RegoTestResult[]>();
  return {
    get(key) {
      const hit = mem.get(key);
      if (hit || !dir) return hit;
      try {
        const results = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as RegoTestResult[];
        mem.set(key, results);
        return results;
      } catch {
        return undefined;
      }
    },
    put(key, results) {
      mem.set(key, results);
      if (!dir) return;
      try {
        mkdirSync(dir, { recursive: true });
        // Write then rename, so a reader never sees half a file.
        writeFileSync(join(dir, `${key}.json.tmp`), JSON.stringify(results));
        renameSync(join(dir, `${key}.json.tmp`), join(dir, `${key}.json`));
      } catch {
        /* a read-only disk only costs a rerun */
      }
    },
  };
}

/** The `policy test` cache in the user's cache directory (see lib/cache-dir.ts), beside the compile cache. */
export function userTestCache(env: NodeJS.ProcessEnv = process.env): TestCache {
  const dir = cacheDir(env);
  return testCache(dir ? join(dir, 'tests') : undefined);
}
