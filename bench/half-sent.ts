// 1,100 requests whose body never finishes against a gateway process under `ulimit -n 1024`
// (issue 11 item 2), at the default server limits unless told: open fds of the gateway,
// /healthz latency (a new connection each time) while they are open, and when the sockets are closed.
//   bun bench/half-sent.ts [--sockets 1100] [--auth] [--body-timeout-ms 30000]
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { sha256Hex } from '../src/lib/hash.ts';
import { spawnBinary } from '../test/helpers/spawn-binary.ts';
import { postHead, rawClient, type RawClient } from '../test/hostile/raw-socket.ts';

const { values } = parseArgs({ options: { sockets: { type: 'string', default: '1100' }, auth: { type: 'boolean', default: false }, 'body-timeout-ms': { type: 'string' } } });
const KEY = 'tg-bench-half-sent-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'tollgate-half-sent-'));
const server: Record<string, unknown> = { host: '127.0.0.1', port: 0 };
if (values['body-timeout-ms']) server.body_timeout_ms = Number(values['body-timeout-ms']);
writeFileSync(join(dir, 'gateway.config.yaml'), stringify({ server, database: { url: ':memory:' }, policy: { enabled: false }, keys: [{ name: 'bench', hash: `sha256:${sha256Hex(KEY)}` }], providers: { mock: { type: 'mock' } }, models: { m: { provider: 'mock', model: 'mock/ok' } } }));
const main = join(import.meta.dir, '../src/main.ts');
const gw = await spawnBinary('/bin/sh', ['-c', `ulimit -n 1024 && exec "${process.execPath}" "${main}" serve --config gateway.config.yaml`], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
const fds = () => readdirSync(`/proc/${gw.proc.pid}/fd`).length;
const healthz = async () => {
  const t = performance.now();
  const r = await Promise.race([fetch(`${gw.url}/healthz`, { keepalive: false }).then((r) => r.status), Bun.sleep(5_000).then(() => 'timeout')]);
  return `${r} in ${(performance.now() - t).toFixed(1)} ms`;
};
console.log(`gateway pid ${gw.proc.pid}: ${fds()} fds idle; /healthz ${await healthz()}`);
const n = Number(values.sockets);
const clients: RawClient[] = [];
const t0 = performance.now();
for (let i = 0; i < n; i++) clients.push(await rawClient(gw.url, postHead('/v1/chat/completions', 100_000, values.auth ? { authorization: `Bearer ${KEY}` } : {}) + '{"model":"m",'));
await Bun.sleep(500);
const open = () => clients.filter((c) => !c.isClosed()).length;
console.log(`${n} half-sent bodies (${values.auth ? 'with' : 'without'} a valid key): gateway ${fds()} fds, ${open()} still open; /healthz ${await healthz()}, ${await healthz()}`);
const statuses = () => Object.entries(clients.reduce<Record<string, number>>((m, c) => ((m[c.received().slice(9, 12) || 'none'] = (m[c.received().slice(9, 12) || 'none'] ?? 0) + 1), m), {})).map(([k, v]) => `${k}: ${v}`).join(', ');
while (open() > 0 && performance.now() - t0 < 120_000) await Bun.sleep(500);
console.log(`all closed after ${((performance.now() - t0) / 1000).toFixed(1)} s (${open()} open); answers ${statuses()}; gateway ${fds()} fds; /healthz ${await healthz()}`);
for (const c of clients) c.socket.destroy();
await gw.terminate();
