import { afterEach, expect, test } from 'bun:test';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { childEnv } from '../support/child-env.ts';

// Issue 11, item 12: the binary on a read-only or full disk prints one clear line and exits 1.
// Tests run as root, so chmod 0444 does not stop a write: a small tmpfs (remounted read-only,
// or filled) stands in for the broken disk. Where mounting is not allowed the tests say so and pass.
const ROOT = resolve(import.meta.dir, '../..');
const BIN = join(ROOT, 'dist/tollgate');
const mounts: string[] = [];
afterEach(() => {
  for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
});

function tmpfs(sizeKb: number): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'tg-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  mounts.push(dir);
  return dir;
}

/** A migrated database (file, -wal, -shm) made elsewhere and copied onto `dir`. */
async function seed(dir: string): Promise<void> {
  const src = mkdtempSync(join(tmpdir(), 'tg-seed-'));
  const store = await openStore({ url: `file:${join(src, 'tollgate.db')}` });
  await migrate(store.client);
  store.close();
  for (const f of readdirSync(src)) copyFileSync(join(src, f), join(dir, f));
}

function serve(dbDir: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'tg-cwd-'));
  const config = join(cwd, 'gateway.config.yaml');
  writeFileSync(config, `server: { host: 127.0.0.1, port: 0, allow_anonymous: true }\ndatabase: { url: "file:${join(dbDir, 'tollgate.db')}" }\npolicy: { enabled: false }\nproviders: { mock: { type: mock } }\nmodels: { m: { provider: mock, model: mock/ok } }\n`);
  const t0 = performance.now();
  const p = Bun.spawnSync([BIN, 'serve', '-c', config], { cwd, env: childEnv({ PATH: '/usr/bin:/bin', HOME: cwd }), timeout: 20_000 });
  const err = p.stderr.toString();
  const lines = err.split('\n').filter((l) => l && !l.startsWith('{'));
  return { code: p.exitCode, err, lines, ms: performance.now() - t0 };
}

const skip = (why: string) => console.log(`skipped: ${why}`);

test('a database on a read-only disk: one line naming it read-only, exit 1', async () => {
  if (!existsSync(BIN)) return skip('no dist/tollgate (npm run build)');
  const dir = tmpfs(4096);
  if (!dir) return skip('this sandbox cannot mount a tmpfs');
  await seed(dir);
  execFileSync('mount', ['-o', 'remount,ro', dir]);
  const r = serve(dir);
  console.log(`read-only disk: exit ${r.code} after ${r.ms.toFixed(0)} ms: ${r.lines.join(' | ')}`);
  expect(r.code).toBe(1);
  expect(r.err).not.toMatch(/^\s+at /m);
  expect(r.err).not.toContain('LibsqlError');
  expect(r.lines).toHaveLength(1);
  expect(r.lines[0]).toMatch(/^error: database file:.*tollgate\.db: .*read-only/);
  expect(r.lines[0]).not.toContain('unexpected');
}, 30_000);

test('a new database on a full disk: one line naming the full disk, exit 1', async () => {
  if (!existsSync(BIN)) return skip('no dist/tollgate (npm run build)');
  const dir = tmpfs(256);
  if (!dir) return skip('this sandbox cannot mount a tmpfs');
  try {
    writeFileSync(join(dir, 'fill'), Buffer.alloc(1024 * 1024));
  } catch {
    /* ENOSPC: full, as wanted */
  }
  const r = serve(dir);
  console.log(`full disk, new database: exit ${r.code} after ${r.ms.toFixed(0)} ms: ${r.lines.join(' | ')}`);
  expect(r.code).toBe(1);
  expect(r.err).not.toMatch(/^\s+at /m);
  expect(r.lines).toHaveLength(1);
  expect(r.lines[0]).toMatch(/^error: database file:.*: the disk is full \(SQLITE_FULL\)/);
}, 30_000);

test('an existing database on a disk that filled up: one line, exit 1', async () => {
  if (!existsSync(BIN)) return skip('no dist/tollgate (npm run build)');
  const dir = tmpfs(1024);
  if (!dir) return skip('this sandbox cannot mount a tmpfs');
  await seed(dir);
  try {
    writeFileSync(join(dir, 'fill'), Buffer.alloc(4 * 1024 * 1024));
  } catch {
    /* ENOSPC */
  }
  const r = serve(dir);
  console.log(`full disk, existing database: exit ${r.code} after ${r.ms.toFixed(0)} ms: ${r.lines.join(' | ')}`);
  expect(r.code).toBe(1);
  expect(r.err).not.toMatch(/^\s+at /m);
  expect(r.lines).toHaveLength(1);
  expect(r.lines[0]).toMatch(/^error: database file:.*: (the disk is full|the disk failed a read or write)/);
}, 30_000);
