import { createServer, type Socket } from 'node:net';

/**
 * An OpenAI-wire upstream written on raw TCP, so a test can see exactly when the gateway closes
 * its upstream socket (Bun's request signals are not trusted for that). It streams one chunk
 * every `intervalMs` for as long as the socket stays open.
 */
export interface RawSseUpstream {
  url: string;
  /** Connections opened and whether/when each was closed by the peer. */
  connections: { openedAt: number; closedAt?: number; bytesSent: number }[];
  stop(): void;
}

export async function startRawSseUpstream(intervalMs = 50): Promise<RawSseUpstream> {
  const connections: RawSseUpstream['connections'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const conn: RawSseUpstream['connections'][number] = { openedAt: Date.now(), bytesSent: 0 };
    connections.push(conn);
    let timer: ReturnType<typeof setInterval> | undefined;
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString();
      if (timer || !buf.includes('\r\n\r\n')) return;
      const head = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n';
      socket.write(head);
      let i = 0;
      timer = setInterval(() => {
        const data = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: `t${i++} ` }, finish_reason: null }] })}\n\n`;
        const chunk = `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`;
        conn.bytesSent += chunk.length;
        socket.write(chunk);
      }, intervalMs);
    });
    const closed = () => {
      clearInterval(timer);
      conn.closedAt ??= Date.now();
      sockets.delete(socket);
    };
    socket.on('close', closed);
    socket.on('error', closed);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    connections,
    stop() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
