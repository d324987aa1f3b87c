/**
 * Makes sure Debian's `chromium` is at /usr/bin/chromium for the dashboard's browser test
 * (playwright-core drives it; its own browser downloads are not used). Installs it with apt-get
 * when missing (needs root); throws with what to do when it cannot.
 *
 *   bun scripts/ensure-chromium.ts
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.TOLLGATE_CHROMIUM ?? '/usr/bin/chromium';

export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const apt = (args: string[]) => Bun.spawnSync(['apt-get', ...args], { stdout: 'pipe', stderr: 'pipe', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  let r = apt(['install', '-y', '--no-install-recommends', 'chromium']);
  if (r.exitCode !== 0) {
    apt(['update']);
    r = apt(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  if (r.exitCode !== 0 || !existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM} and 'apt-get install -y chromium' failed (exit ${r.exitCode}): ${r.stderr.toString().trim().split('\n').slice(-3).join(' ')}. ` +
        'Install Debian\'s chromium package as root, or set TOLLGATE_CHROMIUM to a Chromium binary.',
    );
  }
  return CHROMIUM;
}

if (import.meta.main) console.log(ensureChromium());
