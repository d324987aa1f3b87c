import { expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCache, compileKey, type CompileCache } from './compile-cache.ts';
import { compressedWasmPath } from './compiler/build.ts';
import { compilerId } from './compiler/index.ts';
import { createPolicyRuntime } from './runtime.ts';
import type { PolicySources } from './policy-files.ts';

const sources = (rule: string): PolicySources => ({
  files: { 'gateway/decision.rego': `package gateway\n\ndecision := {"allowed": ${rule}}\n`, 'gateway/decision_test.rego': 'package gateway\n\ntest_shape if is_boolean(decision.allowed)\n' },
  dataFiles: {},
});

function counting(inner: CompileCache) {
  const n = { hits: 0, puts: 0 };
  const cache: CompileCache = {
    get: (k) => {
      const v = inner.get(k);
      if (v) n.hits++;
      return v;
    },
    put: (k, p) => {
      n.puts++;
      inner.put(k, p);
    },
  };
  return { cache, n };
}

test('a policy compiled once is served from the disk cache by the next start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-pcache-'));
  const first = counting(compileCache({ dir }));
  const a = await createPolicyRuntime({ sources: sources('true'), name: 't', cache: first.cache });
  expect(first.n).toEqual({ hits: 0, puts: 1 });
  expect(readdirSync(dir).filter((f) => f.endsWith('.wasm')).length).toBe(1);
  // A new process: a fresh cache object over the same directory.
  const second = counting(compileCache({ dir }));
  const b = await createPolicyRuntime({ sources: sources('true'), name: 't', cache: second.cache });
  expect(second.n).toEqual({ hits: 1, puts: 0 });
  expect(b.revision()).toBe(a.revision());
  await a.close();
  await b.close();
});

test('any change to the sources or data gives a different key, so a stale entry is never served', async () => {
  const k = await compileKey(sources('true'), {}, 'gateway/decision');
  expect(await compileKey(sources('false'), {}, 'gateway/decision')).not.toBe(k);
  expect(await compileKey(sources('true'), { teams: {} }, 'gateway/decision')).not.toBe(k);
  expect(await compileKey(sources('true'), {}, 'other/entry')).not.toBe(k);
});

test('the key names the compiler build by a hash of its wasm, not by the OPA version', async () => {
  const zst = readFileSync(compressedWasmPath);
  expect(await compilerId()).toBe(`wasm-sha256:${new Bun.CryptoHasher('sha256').update(zst).digest('hex')}`);
});

test('config data is laid over a cached policy: a policy.data change compiles nothing, yet the engine sees it', async () => {
  const src: PolicySources = {
    files: { 'gateway/decision.rego': 'package gateway\n\ndecision := {"allowed": data.open == true}\n', 'gateway/decision_test.rego': 'package gateway\n\ntest_closed if not decision.allowed with data.open as false\n' },
    dataFiles: {},
  };
  const { cache, n } = counting(compileCache());
  const closed = await createPolicyRuntime({ sources: src, name: 't', data: { open: false }, cache });
  const open = await createPolicyRuntime({ sources: src, name: 't', data: { open: true }, cache });
  expect(n).toEqual({ hits: 1, puts: 1 });
  const input = { request: {} } as never;
  expect(closed.evaluate(input).decision.allowed).toBe(false);
  expect(open.evaluate(input).decision.allowed).toBe(true);
  // The revision names the data as well as the module.
  expect(open.revision()).not.toBe(closed.revision());
  // A reload with new data is served from the cache too.
  expect(await closed.reload({ data: { open: true } })).toEqual({ ok: true, revision: open.revision() });
  expect(n.hits).toBe(2);
  expect(closed.evaluate(input).decision.allowed).toBe(true);
  await closed.close();
  await open.close();
});
