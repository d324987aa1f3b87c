import { connect, type Socket } from 'node:net';

/** A raw TCP client that sends exactly what it is told and records what it got and when it closed. */
export interface RawClient {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with the ms from open to close (real time). */
  closed: Promise<number>;
  isClosed(): boolean;
}

export function rawClient(url: string, first: string): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const opened = performance.now();
    let got = '';
    let done = false;
    let onClose!: (ms: number) => void;
    const closed = new Promise<number>((r) => (onClose = r));
    const socket = connect(Number(port), hostname, () => {
      socket.write(first);
      resolve({ socket, received: () => got, closed, isClosed: () => done });
    });
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      done = true;
      onClose(performance.now() - opened);
    });
    socket.once('error', reject);
  });
}

/** Request head of a POST whose body is `length` bytes long. */
export const postHead = (path: string, length: number, headers: Record<string, string> = {}) =>
  `POST ${path} HTTP/1.1\r\nhost: tollgate\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

/** Open file descriptors of this process (Linux). */
export async function openFds(pid: number | 'self' = 'self'): Promise<number> {
  const { readdirSync } = await import('node:fs');
  return readdirSync(`/proc/${pid}/fd`).length;
}
