import type { GatewayConfig } from './schema.ts';

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Anonymous mode on a non-loopback address makes the gateway an open proxy to every configured
 * provider, paid for with the operator's keys. Returns why it is refused, or undefined when the
 * bind is safe or the config asks for it explicitly (`server.allow_anonymous_remote: true`).
 */
export function anonymousExposure(server: GatewayConfig['server'], host: string = server.host): string | undefined {
  if (!server.allow_anonymous || isLoopback(host) || server.allow_anonymous_remote) return undefined;
  return `server.allow_anonymous is on and the gateway would listen on ${host}, so anyone who can reach it may use your providers; bind to 127.0.0.1, turn allow_anonymous off and add keys, or set server.allow_anonymous_remote: true`;
}
