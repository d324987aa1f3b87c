import { afterAll, expect, test } from 'bun:test';
import { createClient } from '@libsql/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { createFakeClock, type FakeClock } from '../support/fake-clock.ts';
import { startFaultUpstream, type FaultUpstream } from '../mocks/fault-upstream.ts';
import { spawnBinary, type Spawned } from '../helpers/spawn-binary.ts';

const READYZ_MASTER = 'master-key-for-the-shutdown-test';

// The gateway runs as its own process (`bun src/main.ts serve`) so that SIGTERM is real. The
// upstream streams on a fake clock the test moves by hand: streams stay in flight exactly as
// long as the test wants, with no real waiting between tokens.
const ROOT = resolve(import.meta.dir, '../..');
const upstreams: FaultUpstream[] = [];
const procs: Spawned[] = [];
afterAll(() => {
  for (const p of procs) p.kill();
  for (const u of upstreams) u.stop();
});

async function serve(tokens: number, intervalMs: number, server: Record<string, unknown> = {}) {
  const clock = createFakeClock();
  const up = await startFaultUpstream({ kind: 'ok', tokens, intervalMs }, clock);
  upstreams.push(up);
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-drain-'));
  const db = join(dir, 'ledger.db');
  const config = {
    server: { host: '127.0.0.1', port: 0, allow_anonymous: true, ...server },
    database: { url: `file:${db}` },
    logging: { level: 'warn' },
    policy: { enabled: false },
    providers: { up: { type: 'openai-compatible', base_url: `${up.url}/v1` } },
    models: { m: { provider: 'up', model: 'm' } },
  };
  writeFileSync(join(dir, 'gateway.config.yaml'), stringify(config));
  const gw = await spawnBinary(process.execPath, [join(ROOT, 'src/main.ts'), 'serve', '--config', join(dir, 'gateway.config.yaml')], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TOLLGATE_MASTER_KEY: READYZ_MASTER } });
  procs.push(gw);
  return { gw, db, clock };
}

/** Opens a stream and resolves `started` at its first chunk; `done` has the whole text. */
function openStream(url: string) {
  let started!: () => void;
  const first = new Promise<void>((r) => (started = r));
  const done = (async () => {
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }) });
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of res.body!) {
      text += decoder.decode(chunk, { stream: true });
      started();
    }
    return text;
  })();
  return { first, done };
}

const tokensIn = (text: string) => (text.match(/"content":"t\d+ "/g) ?? []).length;

/** Moves the upstream's time on in `stepMs` steps until every promise has settled. */
async function runUntil(clock: FakeClock, stepMs: number, work: Promise<unknown>[]): Promise<void> {
  let settled = false;
  void Promise.allSettled(work).then(() => (settled = true));
  while (!settled) {
    await clock.advance(stepMs);
    await Bun.sleep(1);
  }
}

test('SIGTERM with 50 streams in flight: /readyz fails at once, new work is refused, all 50 complete, exit 0', async () => {
  const { gw, db, clock } = await serve(20, 100);
  const streams = Array.from({ length: 50 }, () => openStream(gw.url));
  await Promise.all(streams.map((s) => s.first));
  const signalled = performance.now();
  gw.proc.kill('SIGTERM');
  let readyz: Response | undefined;
  while (performance.now() - signalled < 1_000) {
    // The in-flight count is detail, shown to the master key (anyone else: ready or not).
    readyz = await fetch(gw.url + '/readyz', { headers: { authorization: `Bearer ${READYZ_MASTER}` } });
    if (readyz.status === 503) break;
    await Bun.sleep(10);
  }
  const readyzMs = performance.now() - signalled;
  expect(readyz!.status).toBe(503);
  expect(await readyz!.json()).toMatchObject({ status: 'draining', inflight: 51 });
  expect(readyzMs).toBeLessThan(250);
  const refused = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'late' }] }) });
  expect(refused.status).toBe(503);
  // Only now do the streams move on: 20 tokens, 100 ms apart on the upstream's clock.
  await runUntil(clock, 100, streams.map((s) => s.done));
  const texts = await Promise.all(streams.map((s) => s.done));
  const complete = texts.filter((t) => tokensIn(t) === 20 && t.trimEnd().endsWith('data: [DONE]')).length;
  const code = await gw.proc.exited;
  console.log(`drain: /readyz 503 after ${Math.round(readyzMs)} ms; ${complete}/50 streams complete; exit ${code} ${Math.round(performance.now() - signalled)} ms after SIGTERM`);
  expect(complete).toBe(50);
  expect(code).toBe(0);
  const c = createClient({ url: `file:${db}` });
  const rows = await c.execute("SELECT count(*) AS n FROM usage WHERE outcome = 'ok' AND stream = 1");
  c.close();
  expect(Number(rows.rows[0]!.n)).toBe(50);
}, 30_000);

test('streams still open when the drain time is up end with an error event, and the process exits', async () => {
  // The upstream's clock is never moved: the streams would run for ever. The drain timer runs in
  // the gateway's own process, on real time.
  const { gw, db } = await serve(100, 100, { drain_timeout_ms: 1_000 });
  const streams = Array.from({ length: 5 }, () => openStream(gw.url));
  await Promise.all(streams.map((s) => s.first));
  const signalled = performance.now();
  gw.proc.kill('SIGTERM');
  const texts = await Promise.all(streams.map((s) => s.done));
  const endedMs = performance.now() - signalled;
  const code = await gw.proc.exited;
  for (const t of texts) {
    expect(t).not.toContain('[DONE]');
    expect(t).toContain('shutting down');
  }
  expect(endedMs).toBeGreaterThanOrEqual(900);
  expect(endedMs).toBeLessThan(2_500);
  expect(code).toBe(0);
  const c = createClient({ url: `file:${db}` });
  const rows = await c.execute("SELECT count(*) AS n FROM usage WHERE outcome = 'shutdown'");
  c.close();
  expect(Number(rows.rows[0]!.n)).toBe(5);
}, 30_000);
