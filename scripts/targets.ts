/** The platforms a release is built for, and what each needs from npm. */
export interface Target {
  /** `<os>-<arch>`, as in dist/tollgate-<os>-<arch>. */
  name: string;
  /** Bun's --compile target (Bun fetches that runtime from npm). */
  bun: Bun.Build.CompileTarget;
  /** The libSQL native addon package for this platform (a libsql optional dependency). */
  libsql: string;
}

export const TARGETS: readonly Target[] = [
  { name: 'linux-x64', bun: 'bun-linux-x64', libsql: '@libsql/linux-x64-gnu' },
  { name: 'linux-arm64', bun: 'bun-linux-arm64', libsql: '@libsql/linux-arm64-gnu' },
  { name: 'darwin-x64', bun: 'bun-darwin-x64', libsql: '@libsql/darwin-x64' },
  { name: 'darwin-arm64', bun: 'bun-darwin-arm64', libsql: '@libsql/darwin-arm64' },
];

/** The target of the machine running the build (glibc assumed on Linux). */
export function hostTarget(): Target {
  const name = `${process.platform}-${process.arch}`;
  const t = TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`no build target for this machine (${name}); known: ${TARGETS.map((x) => x.name).join(', ')}`);
  return t;
}
