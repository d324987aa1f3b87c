import { afterAll, beforeAll, expect, test } from 'bun:test';
import { connect } from 'node:net';
import { startRawSseUpstream, type RawSseUpstream } from '../mocks/raw-sse-upstream.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../../src/server/start.ts';

let up: RawSseUpstream;
let gw: Gateway;
const lines: string[] = [];

beforeAll(async () => {
  up = await startRawSseUpstream(50);
  gw = await startTestGateway(
    { providers: { slow: { type: 'openai-compatible', base_url: up.url + '/v1' } }, models: { endless: { provider: 'slow', model: 'endless' } } },
    { logger: { debug() {}, info: (m, f) => lines.push(JSON.stringify({ m, ...f })), warn() {}, error() {} } },
  );
});
afterAll(async () => {
  await gw.stop();
  up.stop();
});

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await Bun.sleep(20);
  }
  return cond();
}

test('a client that closes its socket mid-stream makes the gateway close the upstream socket', async () => {
  const { port, hostname } = new URL(gw.url);
  const body = JSON.stringify({ model: 'endless', stream: true, messages: [{ role: 'user', content: 'go' }] });
  const sock = connect(Number(port), hostname);
  let received = '';
  sock.on('data', (d) => (received += d.toString()));
  sock.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  expect(await until(() => received.includes('t2 '), 5000)).toBe(true);
  expect(up.connections.length).toBe(1);
  sock.destroy();
  // The upstream must see its socket closed soon after, not stream into the void.
  expect(await until(() => up.connections[0]!.closedAt !== undefined, 3000)).toBe(true);
  const sentAtClose = up.connections[0]!.bytesSent;
  await Bun.sleep(300);
  expect(up.connections[0]!.bytesSent).toBe(sentAtClose);
  // The request is still accounted for, marked as interrupted.
  expect(await until(() => lines.some((l) => l.includes('"outcome":"interrupted"')), 2000)).toBe(true);
  // Billed by tokenizer for what was sent and what the client received before it left.
  const row = JSON.parse(lines.find((l) => l.includes('"outcome":"interrupted"'))!) as { input_tokens: number; output_tokens: number };
  expect(row.input_tokens).toBeGreaterThan(0);
  expect(row.output_tokens).toBeGreaterThanOrEqual(3);
});
