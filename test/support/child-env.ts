/**
 * The environment of a process a test starts with an environment of its own (`PATH`, `HOME`, a
 * cache directory): `env` plus the test run's JavaScriptCore tuning (`BUN_JSC_*`, such as npm
 * test's `BUN_JSC_useOMGJIT=0`), which a stripped environment would otherwise drop. A JIT tier
 * changes how fast code runs, never what it does; without it a binary that compiles a policy
 * spends ~1 s more CPU in the optimising wasm tier (dist/tollgate policy test: 3.6 -> 2.5 s).
 */
export function childEnv(env: Record<string, string>): Record<string, string> {
  const jsc: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('BUN_JSC_') && v !== undefined) jsc[k] = v;
  return { ...jsc, ...env };
}
