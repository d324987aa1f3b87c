import { afterAll, describe, expect, test } from 'bun:test';
import { createClient } from '@libsql/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnBinary } from '../helpers/spawn-binary.ts';
import { startSqld, type Sqld } from '../helpers/sqld.ts';

const BIN = resolve(import.meta.dir, '../../dist/tollgate');

/** An upstream that logs the time of every request it answers (the ground truth to count rows against). */
function startCountingUpstream(latencyMs: number) {
  const seen: number[] = [];
  const body = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch() {
      seen.push(Date.now());
      await Bun.sleep(latencyMs);
      return new Response(body, { headers: { 'content-type': 'application/json' } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) };
}

/** Closed-loop load: `c` clients each sending requests back to back until stopped. */
function load(url: string, c: number) {
  let running = true;
  const workers = Array.from({ length: c }, async () => {
    while (running) {
      try {
        const r = await fetch(url + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }) });
        await r.arrayBuffer();
      } catch {
        await Bun.sleep(5);
      }
    }
  });
  return async () => {
    running = false;
    await Promise.all(workers);
  };
}

/** Waits until the upstream has answered `n` requests (the load is under way), at most 30 s. */
async function untilSeen(up: { seen: number[] }, n: number) {
  const end = Date.now() + 30_000;
  while (up.seen.length < n && Date.now() < end) await Bun.sleep(20);
}

/**
 * The worst timer lag of this process while `run` goes on: how late a loaded machine runs the
 * gateway's flush timer too (it shares the cores), so the kill -9 window can allow for it.
 */
async function withLag<T>(run: () => Promise<T>): Promise<{ result: T; lagMs: number }> {
  let lagMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lagMs = Math.max(lagMs, now - last - 10);
    last = now;
  }, 10);
  try {
    return { result: await run(), lagMs };
  } finally {
    clearInterval(timer);
  }
}

async function countRows(dbUrl: string): Promise<number> {
  const db = createClient({ url: dbUrl });
  const r = await db.execute('SELECT count(*) AS n FROM usage');
  db.close();
  return Number(r.rows[0]!.n);
}

const servers: Sqld[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

for (const backend of ['file', 'sqld'] as const) {
  describe(`usage rows under load with a ${backend} database`, () => {
    async function setup() {
      const dir = mkdtempSync(join(tmpdir(), 'tollgate-dur-'));
      let dbUrl = `file:${join(dir, 'tollgate.db')}`;
      if (backend === 'sqld') {
        const s = await startSqld();
        servers.push(s);
        dbUrl = s.url;
      }
      const up = startCountingUpstream(15);
      writeFileSync(join(dir, 'gateway.config.yaml'), `server: { host: 127.0.0.1, port: 0, allow_anonymous: true }\ndatabase: { url: '${dbUrl}' }\nlogging: { level: warn }\nproviders:\n  up: { type: openai-compatible, base_url: '${up.url}/v1' }\nmodels:\n  m: { provider: up, model: m }\n`);
      const gw = await spawnBinary(BIN, ['serve', '--config', join(dir, 'gateway.config.yaml')], { cwd: dir, env: { PATH: '/usr/bin:/bin', HOME: dir } });
      return { dbUrl, up, gw };
    }

    test('SIGTERM mid-load drains and flushes: zero rows lost', async () => {
      const { dbUrl, up, gw } = await setup();
      const stop = load(gw.url, 16);
      await untilSeen(up, 150);
      const code = await gw.terminate();
      await stop();
      expect(code).toBe(0);
      expect(up.seen.length).toBeGreaterThan(100);
      expect(await countRows(dbUrl)).toBe(up.seen.length);
      up.stop();
    });

    test('kill -9 mid-load loses at most the last flush interval', async () => {
      const { dbUrl, up, gw } = await setup();
      const stop = load(gw.url, 16);
      const { result: killedAt, lagMs } = await withLag(async () => {
        // Long enough that the flush window is a small part of the run (~1.5 s on a quiet machine).
        await untilSeen(up, 450);
        const at = Date.now();
        gw.kill();
        return at;
      });
      await gw.proc.exited;
      await stop();
      const rows = await countRows(dbUrl);
      const lost = up.seen.length - rows;
      // Rows of requests the upstream saw within the last flush interval (200 ms) plus the
      // upstream latency may be lost; nothing older. A loaded machine runs the flush timer late:
      // the window grows by twice the worst timer lag seen meanwhile (0-20 ms on a quiet machine).
      const window = up.seen.filter((t) => t > killedAt - 200 - 15 - 50 - 2 * lagMs).length;
      console.log(`kill -9 (${backend}): upstream ${up.seen.length}, rows ${rows}, lost ${lost}, allowed ${window} (timer lag ${lagMs.toFixed(0)} ms)`);
      expect(lost).toBeGreaterThanOrEqual(0);
      expect(lost).toBeLessThanOrEqual(window);
      up.stop();
    });
  });
}
