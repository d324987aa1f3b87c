/**
 * `npm run build` → dist/tollgate: one executable with the libSQL native addon, migrations,
 * default config and policies embedded. Runs from an empty directory with no node_modules.
 * Reuses the existing binary when the content hash of its inputs is unchanged (`--force` rebuilds).
 *
 *   bun scripts/build.ts [--force] [--names]   (--names: dist/tollgate-names, identifiers kept, to profile)
 */
import type { BunPlugin } from 'bun';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildCompilerWasm, compressedWasmPath } from '../src/policy/compiler/build.ts';
import { compilerIdOf } from '../src/policy/compiler/index.ts';
import { schemasDigest } from '../src/policy/schemas.ts';
import { clearStamp, hashInputs, isUpToDate, writeStamp } from './build-inputs.ts';
import { renderEmbeddedPolicies } from './gen-embedded-policies.ts';
import { writePrecompiledPolicies } from './gen-precompiled-policies.ts';
import { buildUi } from './build-ui.ts';
import { compressedLibsqlAddon } from './libsql-addon.ts';
import { hostTarget, type Target } from './targets.ts';
import { allCompressedRanks, compressedTokenizerRanks } from './tokenizer-ranks.ts';

const root = resolve(import.meta.dir, '..');
/** Issue 9: the executable stays at most this big (linux-x64 today: bench/results/cold-start.md). */
const SIZE_BUDGET = 120_000_000;
const addonLoader = resolve(root, 'src/lib/native-addon.ts');

/**
 * What the binary is built from; anything else changing does not change the output. Of
 * package.json only the version matters (a fact below): its scripts change often.
 */
const INPUT_PATTERNS = ['src/**', 'policies/**', 'gateway.config.yaml', 'package-lock.json', 'tsconfig.json', 'scripts/*.ts'];
const notAnInput = (path: string) => path.endsWith('.test.ts') || path === 'src/policy/compiler/build/compiler.wasm';

// libsql picks its native addon with a dynamic require the bundler cannot follow; replace it with
// the target's addon, embedded brotli-compressed and inflated on load (src/lib/native-addon.ts).
function libsqlStaticAddon(addonBr: string, id: string): BunPlugin {
  return {
    name: 'libsql-static-addon',
    setup(build) {
      build.onLoad({ filter: /node_modules\/libsql\/index\.js$/ }, async (args) => {
        const src = await Bun.file(args.path).text();
        const br = `require(${JSON.stringify(addonBr)})`;
        const load = `return require(${JSON.stringify(addonLoader)}).loadCompressedAddon(${br}, ${JSON.stringify(id)});`;
        // The target is the build's, so its detection goes too: detect-libc loads node:child_process
        // (and may run `getconf`/`ldd`) and reads /usr/bin/ldd on the database thread at every start.
        const detection = /const \{ load, currentTarget \} = require\("@neon-rs\/load"\);\nconst \{ familySync, GLIBC, MUSL \} = require\("detect-libc"\);\n\nfunction requireNative\(\) \{\n[^]*?return require\(`@libsql\/\$\{target\}`\);\n\}/;
        const patched = src.replace(detection, `function requireNative() {\n  ${load}\n}`);
        if (patched === src) throw new Error('libsql-static-addon: the require to patch was not found; libsql changed');
        return { contents: patched, loader: 'js' };
      });
    },
  };
}

// @smithy/core's "node" exports are CommonJS, which the bundler cannot tree-shake: the event-stream
// codec pulled in all of serde, client, endpoints and schema (250 KB). Its ES build shakes to the
// codec and the UTF-8 helpers Bedrock's event stream uses; its checksum import to the CRC-32 alone
// (the CommonJS one loaded node:stream, node:crypto and node:zlib's stream hashers at every start).
// Its serde and CRC-32 modules load node:crypto and node:zlib when evaluated, at every start; they
// get the two functions they use from src/lib/lazy-builtins.ts instead (loaded on first use).
const lazyBuiltins = resolve(root, 'src/lib/lazy-builtins.ts');
const smithyLazyImports = /\/@smithy\/core\/dist-es\/submodules\/(serde\/index|checksum\/crc32\/Crc32Node)\.js$/;
const smithyEsm: BunPlugin = {
  name: 'smithy-esm',
  setup(build) {
    // (Bun resolves builtins before plugins see them: the import is rewritten, as libsql's is.)
    build.onLoad({ filter: smithyLazyImports }, async (args) => {
      const src = await Bun.file(args.path).text();
      const patched = src.replace(/ from "node:(crypto|zlib)";/, ` from ${JSON.stringify(lazyBuiltins)};`);
      if (patched === src) throw new Error(`smithy-esm: no node:crypto or node:zlib import in ${args.path}; @smithy/core changed`);
      return { contents: patched, loader: 'js' };
    });
    build.onResolve({ filter: /^@smithy\/core\/(event-streams|serde|checksum)$/ }, (args) => ({
      path: resolve(root, 'node_modules/@smithy/core/dist-es/submodules', args.path.slice('@smithy/core/'.length), 'index.js'),
    }));
  },
};

// commander loads node:child_process when evaluated (~3.5 ms of CPU at every start) for the
// executable subcommands Tollgate does not have; it is loaded if one is ever spawned.
const commanderLazySpawn: BunPlugin = {
  name: 'commander-lazy-spawn',
  setup(build) {
    build.onLoad({ filter: /node_modules\/commander\/lib\/command\.js$/ }, async (args) => {
      const src = await Bun.file(args.path).text();
      const patched = src.replace("const childProcess = require('node:child_process');", "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };");
      if (patched === src || /childProcess\.(?!spawn\()/.test(patched)) throw new Error('commander-lazy-spawn: commander uses child_process otherwise now; commander changed');
      return { contents: patched, loader: 'js' };
    });
  },
};

async function writeIfChanged(path: string, content: string): Promise<void> {
  if ((await Bun.file(path).text().catch(() => '')) !== content) await Bun.write(path, content);
}

/** Generates the embedded inputs: the Rego compiler wasm, the policy files, the precompiled policies, the dashboard. */
async function prepareInputs(): Promise<void> {
  buildCompilerWasm();
  await writeIfChanged(resolve(root, 'src/policy/embedded/files.ts'), renderEmbeddedPolicies());
  await writePrecompiledPolicies();
  const ui = await buildUi();
  console.log(`dashboard bundle: ${(ui.jsBytes + ui.cssBytes).toLocaleString('en')} bytes (script ${ui.jsBytes.toLocaleString('en')}, style ${ui.cssBytes.toLocaleString('en')})`);
}

export interface BuildOptions {
  target?: Target;
  outfile?: string;
  force?: boolean;
  /** Keep identifiers (for a CPU profile of the binary that names its functions); over the size budget. */
  names?: boolean;
}

/** Builds one executable; returns whether it was rebuilt (false: the existing one is current). */
export async function build({ target = hostTarget(), outfile = 'dist/tollgate', force = false, names = false }: BuildOptions = {}): Promise<boolean> {
  const started = performance.now();
  const pkg = (await Bun.file(resolve(root, 'package.json')).json()) as { version: string };
  await prepareInputs();
  const addonBr = compressedLibsqlAddon(target);
  const addonId = Bun.hash(await Bun.file(addonBr).bytes()).toString(16);
  const ranksBr = await allCompressedRanks();
  const facts = { bun: `${Bun.version}+${Bun.revision}`, target: target.bun, version: pkg.version, addon: addonId };
  const hash = hashInputs({ root, patterns: INPUT_PATTERNS, ignore: notAnInput, facts: names ? { ...facts, identifiers: 'kept' } : facts });
  if (!force && isUpToDate(outfile, hash)) {
    console.log(`${outfile} is up to date (inputs ${hash.slice(0, 12)}; --force rebuilds) in ${Math.round(performance.now() - started)} ms`);
    return false;
  }
  mkdirSync(dirname(outfile), { recursive: true });
  clearStamp(outfile);
  rmSync(`${outfile}.map`, { force: true }); // left by builds that wrote a linked sourcemap
  const result = await Bun.build({
    // The local database's thread is a Worker: its entrypoint must be in the executable too.
    entrypoints: [resolve(root, 'src/main.ts'), resolve(root, 'src/store/local-worker.ts')],
    compile: { outfile, target: target.bun },
    // No sourcemap: 'linked' embeds it (+3.2 MiB). Identifiers are minified too (-0.43 MB, which
    // keeps the binary under its budget): stack traces of the binary name minified functions, so
    // reproduce a bug from source (`bun src/main.ts`, same behaviour) to read one. Error names
    // that code checks are set as strings, not taken from class names.
    minify: { whitespace: true, syntax: true, identifiers: !names },
    sourcemap: 'none',
    // Each command's modules (and the policy compiler's) in chunks of their own, parsed only when
    // imported: `--version` 60 -> 20 ms of CPU, `keys list` ~40 ms less; serve parses what it runs.
    // The database thread shares the libSQL client's chunk with the main program (-164 KB).
    splitting: true,
    loader: { '.zst': 'file', '.br': 'file' },
    plugins: [libsqlStaticAddon(addonBr, addonId), compressedTokenizerRanks(ranksBr), smithyEsm, commanderLazySpawn],
    define: { TOLLGATE_VERSION: JSON.stringify(pkg.version), TOLLGATE_COMPILER_ID: JSON.stringify(compilerIdOf(await Bun.file(compressedWasmPath).bytes())), TOLLGATE_SCHEMAS_DIGEST: JSON.stringify(schemasDigest()) },
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error('build failed');
  }
  writeStamp(outfile, hash);
  const bytes = statSync(outfile).size;
  console.log(`built ${outfile} (${bytes.toLocaleString('en')} bytes, ${target.name}) in ${Math.round(performance.now() - started)} ms`);
  if (bytes > SIZE_BUDGET) console.warn(`warning: ${outfile} is ${(bytes - SIZE_BUDGET).toLocaleString('en')} bytes over the ${SIZE_BUDGET.toLocaleString('en')}-byte budget (bench/results/cold-start.md)`);
  return true;
}

// --names: dist/tollgate-names, identifiers kept, for `BUN_OPTIONS=--cpu-prof` (bench/results/cold-start.md).
if (import.meta.main) {
  const names = process.argv.includes('--names');
  await build({ force: process.argv.includes('--force'), names, ...(names ? { outfile: 'dist/tollgate-names' } : {}) });
}
