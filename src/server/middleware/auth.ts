import type { MiddlewareHandler } from 'hono';
import { GatewayError } from '../../lib/errors.ts';
import { sha256Hex } from '../../lib/hash.ts';
import type { Env } from '../context.ts';

/** Who is calling. Never holds the key itself, only its hash. */
export interface Principal {
  keyHash?: string;
  name: string;
  team?: string;
  user?: string;
}

/**
 * Accepts `Authorization: Bearer <key>` (OpenAI SDKs) or `x-api-key` (Anthropic SDKs) and
 * compares the key's sha-256 with the configured hashes. The key is never logged or echoed.
 */
export function auth(): MiddlewareHandler<Env> {
  return async function authenticate(c, next) {
    const rt = c.get('runtime');
    const bearer = c.req.header('authorization');
    const key = bearer?.toLowerCase().startsWith('bearer ') ? bearer.slice(7).trim() : c.req.header('x-api-key')?.trim();
    if (!key) {
      if (rt.config.server.allow_anonymous) {
        c.set('principal', { name: 'anonymous' });
        return next();
      }
      throw new GatewayError('unauthorized', 'Missing API key. Send it as "Authorization: Bearer <key>" or "x-api-key".');
    }
    const hash = sha256Hex(key);
    const found = rt.keys.get(hash);
    if (!found) {
      if (rt.config.server.allow_anonymous && rt.keys.size === 0) {
        c.set('principal', { name: 'anonymous' });
        return next();
      }
      throw new GatewayError('unauthorized', 'Invalid API key.');
    }
    c.set('principal', { keyHash: hash, name: found.name, team: found.team, user: found.user });
    return next();
  };
}
