import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTar } from 'nanotar';
import { createLogger } from '../../src/lib/logger.ts';
import { createRegoCompiler } from '../../src/policy/compiler/index.ts';
import type { PolicyInput } from '../../src/policy/input.ts';
import { createPolicyRuntime, PolicyLoadError, type PolicyRuntime } from '../../src/policy/runtime.ts';

const policy = (allowed: string) => `package gateway\n\ndecision := {"allowed": ${allowed}, "reasons": [data.note]}\n`;
const TEST = 'package gateway\n\ntest_defined if decision\n';
const input = {} as PolicyInput;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tollgate-runtime-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function policyDir(allowed = 'true'): string {
  const dir = mkdtempSync(join(root, 'p-'));
  mkdirSync(join(dir, 'gateway'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'gateway/decision.rego'), policy(allowed));
  writeFileSync(join(dir, 'gateway/decision_test.rego'), TEST);
  writeFileSync(join(dir, 'data/note.yaml'), 'note: v1\n');
  return dir;
}

/** Polls until `check` holds; returns the milliseconds it took. */
async function until(check: () => boolean, timeoutMs = 5000): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await Bun.sleep(10);
  }
  return performance.now() - started;
}

describe('createPolicyRuntime', () => {
  test('a refused initial policy throws PolicyLoadError with file:line:col', async () => {
    const dir = policyDir('true +');
    const err = await createPolicyRuntime({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyLoadError);
    expect(String(err)).toContain(`${dir}/gateway/decision.rego:`);
  });

  test('reload() swaps in new data; a failed reload keeps the old policy', async () => {
    const dir = policyDir();
    const rt = await createPolicyRuntime({ dir, data: { note: 'config' } });
    try {
      expect(rt.evaluate(input).decision.reasons).toEqual(['config']);
      const first = rt.revision();
      expect(await rt.reload({ data: { note: 'changed' } })).toEqual({ ok: true, revision: rt.revision() });
      expect(rt.revision()).not.toBe(first);
      expect(rt.evaluate(input).decision.reasons).toEqual(['changed']);
      writeFileSync(join(dir, 'gateway/decision.rego'), policy('('));
      const bad = await rt.reload();
      expect(bad.ok).toBe(false);
      expect(rt.evaluate(input).decision).toEqual({ allowed: true, reasons: ['changed'] });
    } finally {
      await rt.close();
    }
  });

  describe('watch', () => {
    let rt: PolicyRuntime;
    let dir: string;
    const lines: string[] = [];

    beforeAll(async () => {
      dir = policyDir();
      rt = await createPolicyRuntime({ dir, watch: true, logger: createLogger({ write: (l) => lines.push(l) }) });
    }, 30_000);
    afterAll(() => rt.close());

    // How fast a reload is belongs to bench/, not here: these assert that it happens, print the
    // delay, and allow for a loaded machine (the compile takes ~1 s alone, several under load).
    test('an edit is live after saving, with a new compiler for the reload', async () => {
      await rt.close();
      rt = await createPolicyRuntime({ dir, watch: true, logger: createLogger({ write: (l) => lines.push(l) }) });
      expect(rt.evaluate(input).decision.allowed).toBe(true);
      writeFileSync(join(dir, 'gateway/decision.rego'), policy('false'));
      const ms = await until(() => rt.evaluate(input).decision.allowed === false, 15_000);
      console.log(`policy edit live after ${ms} ms`);
      expect(ms).toBeLessThan(15_000);
    }, 30_000);

    test('a data file edit is live too (compiler kept between reloads)', async () => {
      await rt.close();
      rt = await createPolicyRuntime({ dir, watch: true, compilerIdleMs: 60_000, logger: createLogger({ write: (l) => lines.push(l) }) });
      writeFileSync(join(dir, 'data/note.yaml'), 'note: v2\n');
      const ms = await until(() => rt.evaluate(input).decision.reasons?.[0] === 'v2', 15_000);
      console.log(`data edit live after ${ms} ms`);
      expect(ms).toBeLessThan(15_000);
    }, 30_000);

    test('a broken edit is logged with file:line:col and the old policy keeps serving', async () => {
      const before = rt.revision();
      lines.length = 0;
      writeFileSync(join(dir, 'gateway/decision.rego'), 'package gateway\n\ndecision := {"allowed": }\n');
      await until(() => lines.some((l) => l.includes('policy reload refused')));
      const line = JSON.parse(lines.find((l) => l.includes('policy reload refused')) ?? '{}') as { errors: string[] };
      expect(line.errors[0]).toStartWith(`${dir}/gateway/decision.rego:3:`);
      expect(rt.revision()).toBe(before);
      expect(rt.evaluate(input).decision.reasons).toEqual(['v2']);
    }, 30_000);

    test('an edit that fails its tests is refused', async () => {
      const before = rt.revision();
      lines.length = 0;
      writeFileSync(join(dir, 'gateway/decision.rego'), 'package gateway\n\ndecision := {"allowed": true} if false\n');
      await until(() => lines.some((l) => l.includes('policy reload refused')));
      expect(lines.find((l) => l.includes('policy reload refused'))).toContain('test data.gateway.test_defined failed');
      expect(rt.revision()).toBe(before);
    }, 30_000);
  });

  test('a watched bundle is reloaded when replaced', async () => {
    const compiler = await createRegoCompiler();
    const wasms = await Promise.all(
      ['true', 'false'].map(async (a) => {
        const r = await compiler.compile({ files: { 'p.rego': policy(a) }, entrypoints: ['gateway/decision'] });
        if (!r.ok) throw new Error('compile failed');
        return r.wasm;
      }),
    );
    await compiler.close();
    const dir = mkdtempSync(join(root, 'b-'));
    const path = join(dir, 'bundle.tar.gz');
    const write = (wasm: Uint8Array, rev: string) => {
      const tar = createTar([{ name: '/policy.wasm', data: wasm }, { name: '/data.json', data: '{"note": "b"}' }, { name: '/.manifest', data: JSON.stringify({ revision: rev }) }]);
      writeFileSync(path + '.tmp', Bun.gzipSync(new Uint8Array(tar)));
      renameSync(path + '.tmp', path);
    };
    write(wasms[0] ?? new Uint8Array(), 'one');
    const rt = await createPolicyRuntime({ bundle: path, watch: true });
    try {
      expect(rt.evaluate(input)).toMatchObject({ revision: 'one', decision: { allowed: true, reasons: ['b'] } });
      write(wasms[1] ?? new Uint8Array(), 'two');
      await until(() => rt.revision() === 'two');
      expect(rt.evaluate(input).decision.allowed).toBe(false);
    } finally {
      await rt.close();
    }
  }, 30_000);
});
