/**
 * What running from source needs before `npm start` or the tests: the Rego compiler (Go → wasm,
 * so edited policies compile and reload), the built-in policies module, the built-in policies
 * precompiled, and the dashboard's bundle (src/ui/assets.ts). Each step skips itself when its
 * output is up to date, so a second run costs ~1 s.
 * `npm start` runs this as `prestart`; `scripts/build.ts` runs it before bundling.
 */
import { buildCompilerWasm } from '../src/policy/compiler/build.ts';
import { renderEmbeddedPolicies } from './gen-embedded-policies.ts';
import { writePrecompiledPolicies } from './gen-precompiled-policies.ts';
import { buildUi } from './build-ui.ts';

export async function prepare(): Promise<void> {
  const compiler = buildCompilerWasm();
  if (compiler.built) console.error(`built the Rego compiler ${compiler.path} in ${compiler.seconds.toFixed(0)} s`);
  const embedded = 'src/policy/embedded/files.ts';
  const text = renderEmbeddedPolicies();
  if ((await Bun.file(embedded).text().catch(() => '')) !== text) await Bun.write(embedded, text);
  await writePrecompiledPolicies();
  await buildUi();
}

if (import.meta.main) {
  try {
    await prepare();
  } catch (e) {
    console.error(`prepare failed: ${e instanceof Error ? e.message : String(e)}`);
    console.error('Go (the version src/policy/compiler/go.mod names) must be on PATH (it builds the embedded Rego compiler); see README "Quick start".');
    process.exit(1);
  }
}
