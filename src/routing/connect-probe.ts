import type * as Net from 'node:net';
import { realClock, type Clock } from '../lib/clock.ts';

// node:net (and the Node stream classes it builds) is loaded by the first probe, not by every
// start: ~4 % of a start's main-thread CPU, for a probe most runs never make.
const net = (): typeof Net => process.getBuiltinModule('node:net') as typeof Net;

/**
 * Bun's fetch has no connect timeout (oven-sh/bun#16682). So when a request to an origin with
 * no recent answer is still silent after half of `connect_ms`, the router opens a bare TCP
 * connection beside it: if that cannot connect in the other half, the host is unreachable and
 * the attempt fails then, not at the first-byte timeout. Resolves true when connected, false
 * on a refusal or reset (fetch reports those itself), 'timeout' when nothing answered.
 * Skipped behind an HTTP proxy, whose reachability is the proxy's business.
 */
export function probeConnect(url: string, timeoutMs: number, clock: Clock = realClock): Promise<boolean | 'timeout'> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve(false);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || behindProxy()) return Promise.resolve(true);
  const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
  return new Promise((resolve) => {
    const socket = net().connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port });
    const done = (v: boolean | 'timeout') => {
      timer.cancel();
      socket.destroy();
      resolve(v);
    };
    const timer = clock.setTimeout(() => done('timeout'), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function behindProxy(): boolean {
  const e = process.env;
  return Boolean(e.HTTPS_PROXY || e.https_proxy || e.HTTP_PROXY || e.http_proxy || e.ALL_PROXY);
}
