/**
 * The least a gateway on Bun can do: read the request, forward it, stream the answer back.
 * Its throughput is the ceiling for any Bun gateway on this machine.
 *
 *   bun bench/contenders/bun-passthrough.ts --port 9200 --upstream http://127.0.0.1:9100
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' } } });
const upstream = values.upstream!;
Bun.serve({
  port: Number(values.port),
  hostname: '127.0.0.1',
  idleTimeout: 0,
  async fetch(req) {
    const { pathname, search } = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.delete('host');
    const res = await fetch(upstream + pathname + search, { method: req.method, headers, body: await req.arrayBuffer() });
    return new Response(res.body, { status: res.status, headers: res.headers });
  },
});
