/**
 * Warm speed of Rego compiler builds: each wasm compiles the built-in policies and runs their
 * tests 8 times, the builds alternating so a busy machine disturbs them alike (medians, mins).
 *
 *   bun bench/compiler-speed.ts a.wasm b.wasm …   (uncompressed compiler wasm files)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRegoCompiler } from '../src/policy/compiler/index.ts';

const dir = resolve(import.meta.dir, '../policies/gateway');
const all: Record<string, string> = {};
for (const f of readdirSync(dir)) if (f.endsWith('.rego')) all[f] = readFileSync(`${dir}/${f}`, 'utf8');
const src = Object.fromEntries(Object.entries(all).filter(([f]) => !f.endsWith('_test.rego')));
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const compile = { files: src, entrypoints: ['gateway/decision'] };

const builds = await Promise.all(process.argv.slice(2).map(async (p) => ({ path: p, c: await createRegoCompiler({ wasm: readFileSync(p) }), compile: [] as number[], test: [] as number[] })));
for (const b of builds) {
  await b.c.compile(compile);
  await b.c.test({ files: all });
}
for (let i = 0; i < 8; i++)
  for (const b of builds) {
    let t = performance.now();
    await b.c.compile(compile);
    b.compile.push(performance.now() - t);
    t = performance.now();
    await b.c.test({ files: all });
    b.test.push(performance.now() - t);
  }
for (const b of builds) {
  const ms = (a: number[]) => `median ${median(a).toFixed(0)} ms (min ${Math.min(...a).toFixed(0)})`;
  console.log(`${b.path}: compile ${ms(b.compile)}, test ${ms(b.test)}`);
  await b.c.close();
}
