import { afterAll, describe, expect, test } from 'bun:test';
import { createClient } from '@libsql/client';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnBinary, type Spawned } from '../helpers/spawn-binary.ts';
import { startSqld, type Sqld } from '../helpers/sqld.ts';

// Item 9 of issue 11: a ledger that cannot write never costs a row of a request that was answered.
// The gateway runs as its own process (`bun src/main.ts serve`) so SIGTERM and the next start are real.
const ROOT = resolve(import.meta.dir, '../..');

/** An upstream that logs the prompt of every request it answers: the ground truth rows are counted against. */
function startUpstream() {
  const seen: string[] = [];
  const body = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const { messages } = (await req.json()) as { messages: { content: string }[] };
      seen.push(messages[0]!.content);
      await Bun.sleep(5);
      return new Response(body, { headers: { 'content-type': 'application/json' } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) };
}

/** Closed-loop load; every request carries a unique prompt, and the answer's x-request-id is kept by prompt. */
function load(url: string, c: number) {
  let running = true;
  let n = 0;
  const ids = new Map<string, string>();
  const statuses = new Map<number, number>();
  const workers = Array.from({ length: c }, async () => {
    while (running) {
      const prompt = `p${n++}`;
      try {
        const r = await fetch(url + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: prompt }] }) });
        await r.arrayBuffer();
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200) ids.set(prompt, r.headers.get('x-request-id')!);
        else await Bun.sleep(20);
      } catch {
        await Bun.sleep(5);
      }
    }
  });
  return {
    ids,
    statuses,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** Rows per request id for every request the upstream answered: all must be exactly 1. */
async function rowsPerServedRequest(dbUrl: string, upstream: string[], ids: Map<string, string>) {
  const db = createClient({ url: dbUrl });
  const r = await db.execute('SELECT request_id, count(*) AS n FROM usage GROUP BY request_id');
  db.close();
  const rows = new Map(r.rows.map((x) => [String(x.request_id), Number(x.n)]));
  const missing = upstream.filter((p) => !ids.has(p) || rows.get(ids.get(p)!) !== 1);
  return { served: upstream.length, rows: rows.size, missing: missing.length };
}

async function until(what: string, check: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

// /readyz shows the ledger's detail only to a caller with the master key or a client key.
const MASTER = 'tg-ledger-outage-master-key-0123456789';
const readyz = async (url: string) => {
  const r = await fetch(url + '/readyz', { headers: { authorization: `Bearer ${MASTER}` } });
  return { status: r.status, body: (await r.json()) as { status: string; ledger?: { status: string; backlog: number; journal_bytes: number; last_error?: string; journal_error?: string } } };
};

const started: Sqld[] = [];
const gateways: Spawned[] = [];
afterAll(async () => {
  for (const g of gateways) g.kill();
  for (const s of started) await s.stop();
});

async function setup(journalDir?: (dir: string) => string) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-ledger-outage-'));
  const sqld = await startSqld();
  started.push(sqld);
  const up = startUpstream();
  const journal = journalDir?.(dir) ?? join(dir, 'journal');
  writeFileSync(
    join(dir, 'gateway.config.yaml'),
    `server: { host: 127.0.0.1, port: 0, allow_anonymous: true, drain_timeout_ms: 2000 }\ndatabase: { url: '${sqld.url}' }\nledger: { flush_ms: 50, journal_dir: '${journal}' }\nlogging: { level: warn }\npolicy: { enabled: false }\nproviders:\n  up: { type: openai-compatible, base_url: '${up.url}/v1' }\nmodels:\n  m: { provider: up, model: m }\n`,
  );
  const serve = () => spawnBinary(process.execPath, [join(ROOT, 'src/main.ts'), 'serve', '--config', join(dir, 'gateway.config.yaml')], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TOLLGATE_MASTER_KEY: MASTER } }).then((g) => (gateways.push(g), g));
  const restartSqld = async () => {
    const again = await startSqld(sqld);
    started.push(again);
    return again;
  };
  return { dir, sqld, up, journal, serve, restartSqld };
}

describe('the ledger across a database outage', () => {
  test('sqld stopped under load: requests are served and journalled, then every row arrives exactly once', async () => {
    const { sqld, up, serve, restartSqld } = await setup();
    const gw = await serve();
    const l = load(gw.url, 8);
    await Bun.sleep(400);
    await sqld.stop();
    const servedBefore = up.seen.length;
    await until('the ledger to journal', async () => (await readyz(gw.url)).body.ledger?.status === 'journalling');
    await Bun.sleep(1000);
    const during = await readyz(gw.url);
    expect(during.status).toBe(200);
    expect(during.body.ledger!.journal_bytes).toBeGreaterThan(0);
    expect(up.seen.length - servedBefore).toBeGreaterThan(50);
    await restartSqld();
    await until('the journal to be replayed', async () => (await readyz(gw.url)).body.ledger?.status === 'ok');
    await Bun.sleep(300);
    await l.stop();
    // The last rows reach the database with the next flushes (50 ms apart, later on a loaded machine).
    let result = await rowsPerServedRequest(sqld.url, up.seen, l.ids);
    for (const end = Date.now() + 10_000; result.missing > 0 && Date.now() < end; ) {
      await Bun.sleep(100);
      result = await rowsPerServedRequest(sqld.url, up.seen, l.ids);
    }
    console.log(`sqld outage under load: served ${result.served}, rows ${result.rows}, lost ${result.missing}; statuses ${JSON.stringify([...l.statuses])}`);
    expect(result.missing).toBe(0);
    expect(result.rows).toBe(result.served);
    expect([...l.statuses.keys()]).toEqual([200]);
    expect(await gw.terminate()).toBe(0);
    up.stop();
  }, 60_000);

  test('database and journal both refuse: new requests get 503 ledger_unavailable and /readyz fails, until the database is back', async () => {
    // A journal dir under a regular file cannot be created (ENOTDIR), even as root.
    const { sqld, up, serve, restartSqld } = await setup((dir) => (writeFileSync(join(dir, 'plain'), 'x'), join(dir, 'plain', 'journal')));
    const gw = await serve();
    const post = (path: string, body: unknown) => fetch(gw.url + path, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });
    expect((await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'a' }] })).status).toBe(200);
    const db = createClient({ url: sqld.url });
    const rows = async () => Number((await db.execute('SELECT count(*) AS n FROM usage')).rows[0]!.n);
    await until('the first row', async () => (await rows()) === 1);
    await sqld.stop();
    // The request in flight when the database goes is served; its row waits in memory.
    expect((await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'b' }] })).status).toBe(200);
    await until('the ledger to fail closed', async () => (await readyz(gw.url)).status === 503);
    const ready = await readyz(gw.url);
    expect(ready.body.status).toBe('ledger_unavailable');
    expect(ready.body.ledger!.status).toBe('failing_closed');
    expect(ready.body.ledger!.backlog).toBeGreaterThanOrEqual(1);
    expect(ready.body.ledger!.journal_error).toContain('ENOTDIR');
    const seen = up.seen.length;
    const openai = await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'c' }] });
    expect(openai.status).toBe(503);
    expect(openai.headers.get('retry-after')).toBeTruthy();
    expect(((await openai.json()) as { error: { code: string } }).error.code).toBe('ledger_unavailable');
    const anthropic = await post('/v1/messages', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'd' }] });
    expect(anthropic.status).toBe(503);
    expect((await anthropic.json()) as object).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: expect.stringContaining('usage ledger') } });
    // Every endpoint that writes a ledger row is refused, the legacy and Responses ones included.
    for (const [path, body] of [['/v1/completions', { model: 'm', prompt: 'f' }], ['/v1/responses', { model: 'm', input: 'g' }], ['/v1/embeddings', { model: 'm', input: 'h' }]] as const) {
      const r = await post(path, body);
      expect([path, r.status]).toEqual([path, 503]);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('ledger_unavailable');
    }
    expect(up.seen.length).toBe(seen);
    await restartSqld();
    await until('the ledger to take rows again', async () => (await readyz(gw.url)).status === 200);
    expect((await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'e' }] })).status).toBe(200);
    expect(await gw.terminate()).toBe(0);
    expect(await rows()).toBe(3);
    db.close();
    up.stop();
  }, 60_000);

  test('SIGTERM during an outage journals the backlog; the next start replays it, and a second replay adds nothing', async () => {
    const { sqld, up, journal, serve, restartSqld } = await setup();
    const gw = await serve();
    await sqld.stop();
    const l = load(gw.url, 8);
    await Bun.sleep(1000);
    const code = await gw.terminate();
    await l.stop();
    expect(up.seen.length).toBeGreaterThan(50);
    const lines = readdirSync(journal).flatMap((f) => readFileSync(join(journal, f), 'utf8').trim().split('\n').filter(Boolean));
    expect(lines.length).toBe(up.seen.length);
    const journalled = lines.join('\n') + '\n';
    await restartSqld();
    let t = performance.now();
    const next = await serve();
    const startMs = performance.now() - t;
    const result = await rowsPerServedRequest(sqld.url, up.seen, l.ids);
    console.log(`SIGTERM during outage (exit ${code}): served ${result.served}, journalled ${lines.length}, rows after next start ${result.rows}, lost ${result.missing}; next start incl. replay ${startMs.toFixed(0)} ms`);
    expect(result.missing).toBe(0);
    expect(result.rows).toBe(result.served);
    // A crash between the commit and the truncate leaves the file: the next start replays it again.
    expect(await next.terminate()).toBe(0);
    writeFileSync(join(journal, 'ledger-999999999-1-crashed.jsonl'), journalled);
    t = performance.now();
    const third = await serve();
    expect(readdirSync(journal).filter((f) => f.includes('crashed'))).toEqual([]);
    expect((await rowsPerServedRequest(sqld.url, up.seen, l.ids)).rows).toBe(result.served);
    expect(await third.terminate()).toBe(0);
    up.stop();
  }, 60_000);
});
