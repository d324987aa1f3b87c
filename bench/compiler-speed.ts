/**
 * Warm speed of Rego compiler builds: each wasm compiles the built-in policies and runs their
 * tests 8 times, without and with the schema checks the gateway asks for (input and decision
 * schemas), the runs alternating so a busy machine disturbs them alike (medians, mins).
 *
 *   bun bench/compiler-speed.ts a.wasm b.wasm …   (uncompressed compiler wasm files)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRegoCompiler } from '../src/policy/compiler/index.ts';
import { gatewaySchemas } from '../src/policy/schemas.ts';

const dir = resolve(import.meta.dir, '../policies/gateway');
const all: Record<string, string> = {};
for (const f of readdirSync(dir)) if (f.endsWith('.rego')) all[f] = readFileSync(`${dir}/${f}`, 'utf8');
const src = Object.fromEntries(Object.entries(all).filter(([f]) => !f.endsWith('_test.rego')));
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const schemas = gatewaySchemas('gateway/decision');
const variants = { plain: undefined, schemas } as const;

type Times = { compile: number[]; test: number[] };
const builds = await Promise.all(
  process.argv.slice(2).map(async (p) => ({ path: p, c: await createRegoCompiler({ wasm: readFileSync(p) }), times: { plain: { compile: [], test: [] }, schemas: { compile: [], test: [] } } as Record<keyof typeof variants, Times> })),
);
for (const b of builds) {
  await b.c.compile({ files: src, entrypoints: ['gateway/decision'], schemas });
  await b.c.test({ files: all, schemas });
}
for (let i = 0; i < 8; i++)
  for (const b of builds)
    for (const [name, s] of Object.entries(variants) as [keyof typeof variants, typeof schemas | undefined][]) {
      let t = performance.now();
      const r = await b.c.compile({ files: src, entrypoints: ['gateway/decision'], schemas: s });
      if (!r.ok) throw new Error(`compile failed: ${JSON.stringify(r.errors)}`);
      b.times[name].compile.push(performance.now() - t);
      t = performance.now();
      await b.c.test({ files: all, schemas: s });
      b.times[name].test.push(performance.now() - t);
    }
for (const b of builds) {
  const ms = (a: number[]) => `median ${median(a).toFixed(0)} ms (min ${Math.min(...a).toFixed(0)})`;
  for (const name of Object.keys(variants) as (keyof typeof variants)[]) console.log(`${b.path} [${name}]: compile ${ms(b.times[name].compile)}, test ${ms(b.times[name].test)}`);
  await b.c.close();
}
