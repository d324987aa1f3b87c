import { createServer, type Server, type Socket } from 'node:net';
import { realClock, type Clock } from '../../src/lib/clock.ts';

/** The upstream's time: its delays and the times it records. A fake clock also hears of socket activity. */
export type UpstreamClock = Clock & { touch?(): void };

/**
 * An OpenAI-wire upstream on raw TCP that fails on purpose, so routing tests can see exactly
 * what reached it and when its sockets closed. Each request gets a Fault: the test's script
 * first, then `fallback`. Streams are chunked SSE; JSON answers carry a content-length; every
 * response closes its connection.
 */
export type Fault =
  | { kind: 'ok'; tokens?: number; intervalMs?: number }
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** A TCP reset before any byte of the response. */
  | { kind: 'reset' }
  /** Accepts the request and never answers. */
  | { kind: 'silent' }
  /** Nothing for `ms`, then the other fault. */
  | { kind: 'delay'; ms: number; then: Fault }
  /** Streams `after` of `tokens` tokens, then resets the connection. */
  | { kind: 'cut'; after: number; tokens: number; intervalMs?: number }
  /** One event whose data is not JSON before token `after` (-1: before the first event), then carries on. */
  | { kind: 'malformed'; after: number; tokens?: number }
  /** Final event and usage, then no [DONE] and the connection left open. */
  | { kind: 'no-done'; tokens?: number }
  /** `after` tokens, then a clean end of the body with no final event. */
  | { kind: 'clean-close'; after: number }
  /** `after` tokens, then nothing more on a connection left open. */
  | { kind: 'stall'; after: number }
  /** A 200 whose body is an HTML page (a captive portal, a misrouted proxy). */
  | { kind: 'html' }
  /** A JSON answer that sends half its content-length, then closes (`close`) or goes silent. */
  | { kind: 'half-body'; close: boolean };

export interface SeenRequest {
  /** When it arrived, on the upstream's clock (ms). */
  at: number;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  fault: Fault;
}

export interface FaultUpstream {
  url: string;
  requests: SeenRequest[];
  /** Every TCP connection, with when it opened and closed and whether a request came on it. */
  connections: { openedAt: number; closedAt?: number; request: boolean }[];
  /** Faults for the next requests, in order. */
  script(...faults: Fault[]): void;
  /** The fault for requests once the script is used up. */
  fallback: Fault;
  /** Stops listening and resets open connections (clients get ECONNREFUSED). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  stop(): void;
}

export async function startFaultUpstream(fallback: Fault = { kind: 'ok' }, clock: UpstreamClock = realClock): Promise<FaultUpstream> {
  const requests: SeenRequest[] = [];
  const connections: FaultUpstream['connections'] = [];
  const sockets = new Set<Socket>();
  const queue: Fault[] = [];
  let api: FaultUpstream | undefined;

  const onSocket = (socket: Socket) => {
    clock.touch?.();
    sockets.add(socket);
    const conn: FaultUpstream['connections'][number] = { openedAt: clock.now(), request: false };
    connections.push(conn);
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      clock.touch?.();
      if (conn.request) return;
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString().split('\r\n');
      const headers = Object.fromEntries(head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers['content-length'] ?? 0);
      if (buf.length < end + 4 + length) return;
      conn.request = true;
      const text = buf.subarray(end + 4, end + 4 + length).toString();
      const fault = queue.shift() ?? api!.fallback;
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      requests.push({ at: clock.now(), path: head[0]!.split(' ')[1]!, headers, body, fault });
      void answer(socket, body, fault, clock);
    });
    const closed = () => {
      clock.touch?.();
      conn.closedAt ??= clock.now();
      sockets.delete(socket);
    };
    socket.on('close', closed);
    socket.on('error', closed);
  };

  let server: Server = createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;

  api = {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections,
    script: (...faults) => void queue.push(...faults),
    fallback,
    async down() {
      await new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) reset(s);
    },
    async up() {
      server = createServer(onSocket);
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    stop() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
  return api;
}

const REASONS: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 529: 'Overloaded' };

async function answer(socket: Socket, body: Record<string, unknown>, fault: Fault, clock: UpstreamClock): Promise<void> {
  const model = String(body.model ?? 'm');
  const alive = () => !socket.destroyed;
  switch (fault.kind) {
    case 'reset':
      return reset(socket);
    case 'silent':
      return;
    case 'delay':
      await clock.sleep(fault.ms);
      if (alive()) await answer(socket, body, fault.then, clock);
      return;
    case 'status': {
      const text = fault.body ?? JSON.stringify({ error: { message: `injected ${fault.status}`, type: 'server_error', param: null, code: null } });
      const extra = Object.entries(fault.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.end(`HTTP/1.1 ${fault.status} ${REASONS[fault.status] ?? 'Error'}\r\ncontent-type: application/json\r\n${extra}content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
      return;
    }
  }
  if (fault.kind === 'html') {
    const page = '<!doctype html><html><body><h1>Welcome</h1></body></html>';
    socket.end(`HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${page.length}\r\nconnection: close\r\n\r\n${page}`);
    return;
  }
  if (fault.kind === 'half-body') {
    const text = JSON.stringify({ id: 'chatcmpl-f', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: words(50) }, finish_reason: 'stop' }], usage: usage(50) });
    socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${text.length}\r\nconnection: close\r\n\r\n${text.slice(0, text.length >> 1)}`);
    clock.touch?.();
    if (fault.close) socket.end();
    return;
  }
  const tokens = 'tokens' in fault && fault.tokens !== undefined ? fault.tokens : 5;
  if (body.stream !== true) {
    const text = JSON.stringify({ id: 'chatcmpl-f', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: words(tokens) }, finish_reason: 'stop' }], usage: usage(tokens) });
    socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
    return;
  }
  socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n');
  const send = (data: string) => (clock.touch?.(), alive()) && socket.write(`${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`);
  const event = (o: object) => send(`data: ${JSON.stringify(o)}\n\n`);
  const chunk = (delta: object, finish: string | null = null) => ({ id: 'chatcmpl-f', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] });
  const interval = 'intervalMs' in fault ? (fault.intervalMs ?? 0) : 0;
  if (fault.kind === 'malformed' && fault.after < 0) send('data: {"choices": [ this is not json\n\n');
  event(chunk({ role: 'assistant', content: '' }));
  const stopAt = fault.kind === 'cut' || fault.kind === 'clean-close' || fault.kind === 'stall' ? fault.after : tokens;
  for (let i = 0; i < stopAt && alive(); i++) {
    if (fault.kind === 'malformed' && i === fault.after) send('data: {"choices": [ this is not json\n\n');
    event(chunk({ content: `t${i} ` }));
    if (interval) await clock.sleep(interval);
  }
  if (!alive()) return;
  if (fault.kind === 'cut') return reset(socket);
  if (fault.kind === 'stall') return;
  if (fault.kind === 'clean-close') {
    socket.end('0\r\n\r\n');
    return;
  }
  event(chunk({}, 'stop'));
  event({ id: 'chatcmpl-f', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: usage(tokens) });
  if (fault.kind === 'no-done') return;
  send('data: [DONE]\n\n');
  socket.end('0\r\n\r\n');
}

function reset(s: Socket): void {
  const r = s as Socket & { resetAndDestroy?: () => void };
  if (r.resetAndDestroy) r.resetAndDestroy();
  else s.destroy();
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`).join(' ');
const usage = (n: number) => ({ prompt_tokens: 5, completion_tokens: n, total_tokens: 5 + n });
