import { afterAll, beforeAll, expect, test } from 'bun:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway } from '../helpers/gateway.ts';
import { startSqld, type Sqld } from '../helpers/sqld.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { openStore } from '../../src/store/client.ts';
import { createKey, generateKey } from '../../src/store/keys.ts';
import { migrate } from '../../src/store/migrate.ts';

// Issue 11, item 10: a database outage is a 503 with Retry-After in the caller's schema, and the
// log names the real cause once per interval instead of a stack trace per request.
const config = (url: string) => ({ server: { host: '127.0.0.1', port: 0, allow_anonymous: false }, database: { url }, providers: { mock: { type: 'mock' } }, models: { m: { provider: 'mock', model: 'mock/ok' } }, prices: { 'mock/ok': { input: 1, output: 1 } } });
const lines: Record<string, unknown>[] = [];
const logger = createLogger({ write: (t) => lines.push(...t.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)) });
let sqld: Sqld;
beforeAll(async () => {
  sqld = await startSqld();
});
afterAll(async () => {
  await sqld.stop().catch(() => undefined);
});

type Caught = { status?: number; headers?: Headers; error?: { type?: string; code?: string; error?: { type?: string } } };
const openaiCall = (url: string, key: string) => new OpenAI({ baseURL: url + '/v1', apiKey: key, maxRetries: 0 }).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).then(() => ({}) as Caught, (e: Caught) => e);
const anthropicCall = (url: string, key: string) => new Anthropic({ baseURL: url, apiKey: key, maxRetries: 0 }).messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).then(() => ({}) as Caught, (e: Caught) => e);

test('sqld stopped under a running gateway: 503 + Retry-After through both SDKs, one log line naming ECONNREFUSED', async () => {
  const store = await openStore({ url: sqld.url });
  await migrate(store.client);
  const { key } = await createKey(store, { name: 'outage' });
  store.close();
  const gw = await startTestGateway(config(sqld.url), { logger });
  try {
    expect((await openaiCall(gw.url, key)).status).toBeUndefined();
    await sqld.stop();
    lines.length = 0;
    // Keys the gateway has not seen yet must be looked up in the database, which is gone.
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? anthropicCall : openaiCall)(gw.url, generateKey())));
    const ms = performance.now() - t0;
    const o = results[0]!;
    const a = results[1]!;
    expect(o.status).toBe(503);
    expect(o.headers?.get('retry-after')).toBe('5');
    expect(o.error).toMatchObject({ type: 'service_unavailable', code: 'storage_unavailable' });
    expect(a.status).toBe(503);
    expect(a.headers?.get('retry-after')).toBe('5');
    expect(a.error?.error?.type).toBe('overloaded_error');
    expect(results.every((r) => r.status === 503)).toBe(true);
    const storageLines = lines.filter((l) => String(l.msg).startsWith('storage unavailable'));
    console.log(`200 requests during a sqld outage: all 503 in ${ms.toFixed(0)} ms; ${storageLines.length} storage log line(s), ${lines.filter((l) => l.msg === 'internal error').length} internal errors`);
    expect(storageLines).toHaveLength(1);
    expect(storageLines[0]).toMatchObject({ level: 'error', cause: 'ECONNREFUSED' });
    expect(lines.some((l) => l.msg === 'internal error')).toBe(false);
  } finally {
    await gw.stop().catch(() => undefined);
  }
}, 60_000);

/** A tiny tmpfs, or undefined where this sandbox may not mount one (not root, no CAP_SYS_ADMIN). */
function tmpfs(sizeKb: number): { dir: string; unmount(): void } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'tg-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { dir, unmount: () => execFileSync('umount', ['-l', dir], { stdio: 'ignore' }) };
}

test('a file database whose disk fills under a running gateway: 503 + Retry-After naming SQLITE_FULL', async () => {
  const fs = tmpfs(4096);
  if (!fs) return console.log('skipped: this sandbox cannot mount a tmpfs');
  const url = `file:${join(fs.dir, 'tollgate.db')}`;
  try {
    const store = await openStore({ url });
    await migrate(store.client);
    // A budget makes each new key's first request take a lease: a write.
    const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => createKey(store, { name: `full-${i}`, budget: { micros: 1e9, period: 'day' } })));
    store.close();
    const gw = await startTestGateway(config(url), { logger });
    try {
      expect((await openaiCall(gw.url, keys[0]!.key)).status).toBeUndefined();
      try {
        writeFileSync(join(fs.dir, 'fill'), Buffer.alloc(8 * 1024 * 1024));
      } catch {
        /* ENOSPC: the disk is full, which is the point */
      }
      lines.length = 0;
      const results = await Promise.all(keys.slice(1).map((k, i) => (i % 2 ? anthropicCall : openaiCall)(gw.url, k.key)));
      const statuses = results.map((r) => r.status ?? 200);
      console.log('full disk, first requests of 19 budgeted keys:', statuses.join(','));
      expect(statuses.every((s) => s === 503)).toBe(true);
      expect(results[0]!.headers?.get('retry-after')).toBe('5');
      const storageLines = lines.filter((l) => String(l.msg).startsWith('storage unavailable'));
      expect(storageLines).toHaveLength(1);
      expect(storageLines[0]!.cause).toMatch(/^SQLITE_(FULL|IOERR)/);
      expect(lines.some((l) => l.msg === 'internal error')).toBe(false);
    } finally {
      await gw.stop().catch(() => undefined);
    }
  } finally {
    fs.unmount();
  }
}, 60_000);
