import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { spawnBinary, type Spawned } from '../helpers/spawn-binary.ts';

// Issue 11 item 4: 16 concurrent 10 MB bodies took the gateway to 942 MB. Body bytes in flight
// are capped (server.max_body_bytes_in_flight): the rest queue, and peak RSS stays ≤ 300 MB.
const ROOT = join(import.meta.dir, '../..');
let gw: Spawned;
let upstream: ReturnType<typeof Bun.serve>;
let upstreamBytes = 0;

beforeAll(async () => {
  upstream = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      upstreamBytes += (await req.arrayBuffer()).byteLength;
      await Bun.sleep(100);
      return Response.json({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-large-'));
  const config = {
    server: { host: '127.0.0.1', port: 0, allow_anonymous: true },
    database: { url: ':memory:' },
    policy: { enabled: false },
    providers: { up: { type: 'openai-compatible', base_url: `http://127.0.0.1:${upstream.port}/v1` } },
    models: { m: { provider: 'up', model: 'm' } },
  };
  writeFileSync(join(dir, 'gateway.config.yaml'), stringify(config));
  gw = await spawnBinary(process.execPath, [join(ROOT, 'src/main.ts'), 'serve', '--config', join(dir, 'gateway.config.yaml')], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
}, 20_000);

afterAll(async () => {
  await gw?.terminate();
  upstream?.stop(true);
});

const vm = (field: 'VmHWM' | 'VmRSS') => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${gw.proc.pid}/status`, 'utf8'))![1]) / 1024;

test('16 concurrent 10 MB bodies: all served, peak RSS of the gateway ≤ 300 MB', async () => {
  const content = 'x'.repeat(10 * 1024 * 1024 - 200);
  const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] });
  const idle = vm('VmHWM');
  const t = performance.now();
  const results = await Promise.all(
    Array.from({ length: 16 }, async () => {
      const r = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await r.text();
      return r.status;
    }),
  );
  const peak = vm('VmHWM');
  console.log(`16 × 10 MB bodies: peak RSS ${peak.toFixed(0)} MB (idle ${idle.toFixed(0)} MB), ${((performance.now() - t) / 1000).toFixed(1)} s, statuses ${[...new Set(results)].join(',')}, ${(upstreamBytes / 2 ** 20).toFixed(0)} MB reached the upstream`);
  expect(results.every((s) => s === 200)).toBe(true);
  expect(peak).toBeLessThanOrEqual(300);
}, 60_000);
