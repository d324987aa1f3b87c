/**
 * `npm run build` → dist/tollgate: one executable with the libSQL native addon, migrations,
 * default config and policies embedded. Runs from an empty directory with no node_modules.
 */
import type { BunPlugin } from 'bun';
import { mkdirSync, statSync } from 'node:fs';
import { buildCompilerWasm } from '../src/policy/compiler/build.ts';
import { renderEmbeddedPolicies } from './gen-embedded-policies.ts';
import { writePrecompiledPolicies } from './gen-precompiled-policies.ts';

const pkg = (await Bun.file('package.json').json()) as { version: string };

// libsql picks its native addon with a dynamic require the bundler cannot follow; make it static
// so the addon is embedded in the executable.
const libsqlStaticAddon: BunPlugin = {
  name: 'libsql-static-addon',
  setup(build) {
    build.onLoad({ filter: /node_modules\/libsql\/index\.js$/ }, async (args) => {
      const src = await Bun.file(args.path).text();
      const patched = src.replace('return require(`@libsql/${target}`);', 'return require("@libsql/linux-x64-gnu/index.node");');
      if (patched === src) throw new Error('libsql-static-addon: the require to patch was not found; libsql changed');
      return { contents: patched, loader: 'js' };
    });
  },
};

export async function build(outfile = 'dist/tollgate'): Promise<void> {
  mkdirSync('dist', { recursive: true });
  const started = performance.now();
  // The Rego compiler (Go → wasm) and the default policies are embedded in the executable.
  await buildCompilerWasm();
  await Bun.write('src/policy/embedded/files.ts', renderEmbeddedPolicies());
  await writePrecompiledPolicies();
  const result = await Bun.build({
    entrypoints: ['src/main.ts'],
    compile: { outfile },
    minify: true,
    sourcemap: 'linked',
    plugins: [libsqlStaticAddon],
    define: { TOLLGATE_VERSION: JSON.stringify(pkg.version) },
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error('build failed');
  }
  const mb = (statSync(outfile).size / 1024 / 1024).toFixed(1);
  console.log(`built ${outfile} (${mb} MB) in ${Math.round(performance.now() - started)} ms`);
}

if (import.meta.main) await build();
