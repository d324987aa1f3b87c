/**
 * Tollgate against the mock directly: req/s and p50/p99 at c=1 and c=10, streaming and not.
 * Starts the bench upstream and the compiled binary (dist/tollgate, logging to a libSQL file),
 * runs each case after a warm-up, and prints a markdown table.
 *
 *   npm run build && bun bench/gateway-overhead.ts [--seconds 5]
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { startBenchUpstream } from './mock-upstream.ts';
import { runLoad, type LoadResult } from './load.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' } } });
const durationMs = Number(values.seconds) * 1000;
const upstream = startBenchUpstream(0);
const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
writeFileSync(join(dir, 'gateway.config.yaml'), `server: { host: 127.0.0.1, port: 0, allow_anonymous: true }
database: { url: 'file:${dir}/tollgate.db' }
logging: { level: warn }
providers:
  up: { type: openai-compatible, base_url: http://127.0.0.1:${upstream.port}/v1 }
models:
  bench: { provider: up, model: bench }
`);
const proc = Bun.spawn([resolve('dist/tollgate'), 'serve', '--config', join(dir, 'gateway.config.yaml')], { cwd: dir, stdout: 'pipe', stderr: 'inherit' });
let out = '';
for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) {
  out += new TextDecoder().decode(chunk);
  if (out.includes('listening on')) break;
}
const gw = /listening on (http:\/\/\S+)/.exec(out)![1]!;

const rows: string[] = [];
const body = (stream: boolean) => JSON.stringify({ model: 'bench', stream, messages: [{ role: 'user', content: 'Say hello in one short sentence.' }] });
for (const stream of [false, true]) {
  for (const c of [1, 10]) {
    const res: Record<string, LoadResult> = {};
    for (const [name, url] of [['direct', `http://127.0.0.1:${upstream.port}/v1/chat/completions`], ['tollgate', `${gw}/v1/chat/completions`]] as const) {
      await runLoad({ url, body: body(stream), concurrency: c, durationMs: 1000, stream }); // warm-up
      res[name] = await runLoad({ url, body: body(stream), concurrency: c, durationMs, stream });
    }
    const d = res.direct!;
    const t = res.tollgate!;
    const extra = stream ? ` | ${d.ttft_p50_ms} / ${t.ttft_p50_ms}` : ' | –';
    rows.push(`| ${stream ? 'stream' : 'json'} | ${c} | ${d.rps} | ${t.rps} | ${d.p50_ms} / ${d.p99_ms} | ${t.p50_ms} / ${t.p99_ms} | ${(t.p50_ms - d.p50_ms).toFixed(3)}${extra} | ${t.errors} |`);
  }
}
proc.kill('SIGTERM');
await proc.exited;
upstream.stop(true);
console.log(`\nenv: ${cpus().length} cores ${cpus()[0]?.model ?? ''}, Bun ${Bun.version}, ${values.seconds}s per case, load generator on the same machine\n`);
console.log('| mode | c | direct req/s | tollgate req/s | direct p50/p99 ms | tollgate p50/p99 ms | added p50 ms | TTFT p50 direct/tollgate ms | errors |');
console.log('|---|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
