import { afterAll, beforeAll, expect, test } from 'bun:test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawSseUpstream, type RawSseUpstream } from '../mocks/raw-sse-upstream.ts';
import { startTestGateway } from '../helpers/gateway.ts';

// Issue 11, item 11: a hung disk (an fsfreeze of 20 s) blocked /healthz and every stream, because
// local libSQL statements ran on the event loop. They run on a database thread now: while that
// thread waits on the disk, health checks, streams and requests that write nothing keep moving.

const MASTER = 'tg-master-stall-test';
let up: RawSseUpstream;
const savedMaster = process.env.TOLLGATE_MASTER_KEY;
beforeAll(async () => {
  up = await startRawSseUpstream(50);
  process.env.TOLLGATE_MASTER_KEY = MASTER;
});
afterAll(() => {
  up.stop();
  if (savedMaster === undefined) delete process.env.TOLLGATE_MASTER_KEY;
  else process.env.TOLLGATE_MASTER_KEY = savedMaster;
});

const config = (file: string, journal: string, database: Record<string, unknown> = {}) => ({
  database: { url: `file:${file}`, ...database },
  ledger: { flush_ms: 50, journal_dir: journal },
  providers: { mock: { type: 'mock' }, slow: { type: 'openai-compatible', base_url: up.url + '/v1' } },
  models: { m: { provider: 'mock', model: 'mock/ok' }, endless: { provider: 'slow', model: 'endless' } },
});

const chat = (url: string) => fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) });

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await work();
  return [r, performance.now() - t];
}

/** A stream in flight: the arrival time of each chunk, until stopped. */
function openStream(url: string) {
  const abort = new AbortController();
  const arrivals: number[] = [];
  const done = fetch(`${url}/v1/chat/completions`, { method: 'POST', signal: abort.signal, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'endless', stream: true, messages: [{ role: 'user', content: 'go' }] }) })
    .then(async (res) => {
      const reader = res.body!.getReader();
      for (;;) {
        const { done } = await reader.read();
        if (done) return;
        arrivals.push(performance.now());
      }
    })
    .catch(() => undefined);
  /** The longest wait between chunks within [from, to]. */
  const worstGap = (from: number, to: number) => {
    const inside = [from, ...arrivals.filter((t) => t > from && t < to), to];
    return Math.max(...inside.slice(1).map((t, i) => t - inside[i]!));
  };
  return { arrivals, worstGap, stop: () => (abort.abort(), done) };
}

/** Probes /healthz every 50 ms for `ms` from a child process: the worst latency and how many answered 200. */
async function healthzProbes(url: string, ms: number): Promise<{ worst: number; probes: number }> {
  const code = `let worst = 0, probes = 0; const end = performance.now() + ${ms}; do { const t = performance.now(); const r = await fetch(${JSON.stringify(url + '/healthz')}); if (r.status === 200) probes++; worst = Math.max(worst, performance.now() - t); await Bun.sleep(50); } while (performance.now() < end); console.log(JSON.stringify({ worst, probes }));`;
  const child = Bun.spawn([process.execPath, '-e', code], { stdout: 'pipe' });
  return JSON.parse(await new Response(child.stdout).text()) as { worst: number; probes: number };
}

/** What the gateway does while its database thread is stuck for `stallMs`, started by `stall`. */
async function duringStall(url: string, stallMs: number, stall: () => Promise<() => Promise<void>>) {
  const stream = openStream(url);
  for (let i = 0; i < 100 && stream.arrivals.length < 2; i++) await Bun.sleep(20);
  const release = await stall();
  const from = performance.now();
  // /healthz probed from another process, whose clock does not stop when this event loop does.
  const prober = healthzProbes(url, stallMs - 300);
  // A request that writes nothing on its way; its usage row makes the ledger's next flush write.
  const [first, firstMs] = await timed(() => chat(url));
  const healthz = await prober;
  const [second, secondMs] = await timed(() => chat(url));
  const readyz = await (await fetch(`${url}/readyz`, { headers: { authorization: `Bearer ${MASTER}` } })).json();
  const to = performance.now();
  await release();
  await stream.stop();
  return { statuses: [first.status, second.status], requestMs: Math.max(firstMs, secondMs), healthzMs: healthz.worst, healthzSamples: healthz.probes, gapMs: stream.worstGap(from, to), readyz: readyz as { ledger?: { status: string; database_error?: string } } };
}

/**
 * Usage rows in the file, counted by another process: a second SQLite library in this process
 * (bun:sqlite beside libSQL) would drop the gateway's POSIX locks on the file when it closes its own.
 */
function usageRows(file: string): number {
  const out = Bun.spawnSync([process.execPath, '-e', `const { Database } = require('bun:sqlite'); const db = new Database(${JSON.stringify(file)}, { readonly: true }); console.log(db.query('SELECT count(*) AS n FROM usage').get().n);`]);
  return Number(out.stdout.toString().trim());
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && !cond()) await Bun.sleep(100);
  return cond();
}

test('another process holding the database 2 s: /healthz, a stream and a request that writes nothing keep moving; the rows land after', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-stall-'));
  const file = join(dir, 'tollgate.db');
  const gw = await startTestGateway(config(file, join(dir, 'journal')));
  try {
    expect((await chat(gw.url)).status).toBe(200);
    expect(await until(() => usageRows(file) === 1, 3000)).toBe(true);
    let before = -1;
    const r = await duringStall(gw.url, 2000, async () => {
      // The write lock, taken by another process: the gateway's writes wait for it (busy_timeout) on its database thread.
      const holder = Bun.spawn([process.execPath, '-e', `const { Database } = require('bun:sqlite'); const db = new Database(${JSON.stringify(file)}); db.exec('BEGIN EXCLUSIVE'); console.log('locked'); Bun.sleepSync(2000); console.log(db.query('SELECT count(*) AS n FROM usage').get().n); db.exec('COMMIT');`], { stdout: 'pipe' });
      const out = holder.stdout.getReader();
      let text = '';
      while (!text.includes('locked')) text += new TextDecoder().decode((await out.read()).value);
      return async () => {
        for (;;) {
          const { value, done } = await out.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
        await holder.exited;
        before = Number(text.split('\n')[1]);
      };
    });
    console.log(`lock held 2 s: worst /healthz ${r.healthzMs.toFixed(1)} ms over ${r.healthzSamples} probes, worst stream gap ${r.gapMs.toFixed(0)} ms, worst request ${r.requestMs.toFixed(0)} ms`);
    expect(r.statuses).toEqual([200, 200]);
    expect(r.healthzMs).toBeLessThan(250);
    expect(r.gapMs).toBeLessThan(400);
    expect(r.requestMs).toBeLessThan(500);
    // The two rows really waited for the lock (still 1 row just before it was released), then landed; the stream's row too.
    expect(before).toBe(1);
    expect(await until(() => usageRows(file) === 4, 5000)).toBe(true);
  } finally {
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);

/** A loop-mounted ext4 image that can be frozen, or undefined where this sandbox cannot make one (not root, no loop devices). */
function freezableDisk(): { dir: string; freeze(ms: number): void; thaw(): void; remove(): void } | undefined {
  const base = mkdtempSync(join(tmpdir(), 'tg-freeze-'));
  const img = join(base, 'disk.img');
  const dir = join(base, 'mnt');
  try {
    mkdirSync(dir);
    execFileSync('truncate', ['-s', '64M', img]);
    execFileSync('mkfs.ext4', ['-q', img], { stdio: 'ignore' });
    execFileSync('mount', ['-o', 'loop', img, dir], { stdio: 'ignore' });
  } catch {
    rmSync(base, { recursive: true, force: true });
    return undefined;
  }
  const thaw = () => {
    try {
      execFileSync('fsfreeze', ['-u', dir], { stdio: 'ignore' });
    } catch {
      // not frozen
    }
  };
  return {
    dir,
    /** Frozen for at most `ms`: another process thaws it then, should anything here block on it. */
    freeze: (ms: number) => {
      execFileSync('fsfreeze', ['-f', dir], { stdio: 'ignore' });
      Bun.spawn(['sh', '-c', `sleep ${ms / 1000}; fsfreeze -u '${dir}' 2>/dev/null`], { stdio: ['ignore', 'ignore', 'ignore'] }).unref();
    },
    thaw,
    remove: () => {
      thaw();
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(base, { recursive: true, force: true });
    },
  };
}

test('a disk frozen 2.5 s (fsfreeze) past statement_timeout_ms: the gateway keeps answering, /readyz names the stall, the ledger journals, every row arrives once', async () => {
  const disk = freezableDisk();
  if (!disk) return console.log('skipped: this sandbox cannot loop-mount an ext4 image (needs root and loop devices)');
  const journal = mkdtempSync(join(tmpdir(), 'tg-freeze-journal-'));
  const file = join(disk.dir, 'tollgate.db');
  const gw = await startTestGateway(config(file, journal, { statement_timeout_ms: 1000 }));
  try {
    expect((await chat(gw.url)).status).toBe(200);
    expect(await until(() => usageRows(file) === 1, 3000)).toBe(true);
    const r = await duringStall(gw.url, 2500, async () => {
      disk.freeze(5000);
      return async () => disk.thaw();
    });
    console.log(`disk frozen 2.5 s: worst /healthz ${r.healthzMs.toFixed(1)} ms over ${r.healthzSamples} probes, worst stream gap ${r.gapMs.toFixed(0)} ms, worst request ${r.requestMs.toFixed(0)} ms; ledger ${JSON.stringify(r.readyz.ledger)}`);
    expect(r.statuses).toEqual([200, 200]);
    expect(r.healthzMs).toBeLessThan(250);
    expect(r.gapMs).toBeLessThan(400);
    expect(r.requestMs).toBeLessThan(500);
    expect(r.readyz.ledger).toMatchObject({ status: 'journalling' });
    expect(r.readyz.ledger?.database_error).toContain('DATABASE_STALLED');
    // Thawed: the journal replays; every row is there once (request ids are the key).
    expect(await until(() => usageRows(file) === 4, 10_000)).toBe(true);
    await Bun.sleep(300);
    expect(usageRows(file)).toBe(4);
  } finally {
    disk.thaw();
    await gw.stop();
    disk.remove();
    rmSync(journal, { recursive: true, force: true });
  }
}, 30_000);
