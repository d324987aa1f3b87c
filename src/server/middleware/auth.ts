import type { MiddlewareHandler } from 'hono';
import { GatewayError } from '../../lib/errors.ts';
import { sha256Hex } from '../../lib/hash.ts';
import type { KeyCache } from '../../store/key-cache.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Env } from '../context.ts';
import type { Principal } from '../../enforce/principal.ts';

export type { Principal };

const ANONYMOUS: Principal = { name: 'anonymous', tags: [] };

/** The key a request carries: `Authorization: Bearer` or `x-api-key`. */
export function presentedKey(headers: Headers): string | undefined {
  const bearer = headers.get('authorization');
  return bearer?.toLowerCase().startsWith('bearer ') ? bearer.slice(7).trim() : headers.get('x-api-key')?.trim() || undefined;
}

/** Whether `key` is a config key or a live (not revoked, not expired) database key. */
export async function isValidKey(rt: { keys: ReadonlyMap<string, unknown> }, keys: KeyCache | undefined, key: string, now = Date.now()): Promise<boolean> {
  const hash = sha256Hex(key);
  if (rt.keys.has(hash)) return true;
  const row = await keys?.get(hash);
  return !!row && !(row.revokedAt != null && row.revokedAt <= now) && !(row.expiresAt != null && row.expiresAt <= now);
}

/**
 * Accepts `Authorization: Bearer <key>` (OpenAI SDKs) or `x-api-key` (Anthropic SDKs) and
 * looks up the key's sha-256 among config keys and database keys. The key itself is never
 * logged, stored or echoed: a refusal is logged with its reason and, for a known key, its name.
 */
export function auth(keys?: KeyCache, logger?: Logger): MiddlewareHandler<Env> {
  return async function authenticate(c, next) {
    const refuse = (message: string, reason: string, key?: string) => {
      logger?.info('request', { request_id: c.get('requestId'), path: c.req.path, key, status: 401, outcome: 'unauthorized', error: reason });
      return new GatewayError('unauthorized', message);
    };
    const rt = c.get('runtime');
    const bearer = c.req.header('authorization');
    const key = bearer?.toLowerCase().startsWith('bearer ') ? bearer.slice(7).trim() : c.req.header('x-api-key')?.trim();
    if (!key) {
      if (!rt.config.server.allow_anonymous) throw refuse('Missing API key. Send it as "Authorization: Bearer <key>" or "x-api-key".', 'no API key');
      c.set('principal', ANONYMOUS);
      return next();
    }
    const hash = sha256Hex(key);
    const fromConfig = rt.keys.get(hash);
    if (fromConfig) {
      c.set('principal', { keyHash: hash, name: fromConfig.name, team: fromConfig.team, user: fromConfig.user, tags: [] });
      return next();
    }
    const row = await keys?.get(hash);
    if (row) {
      const now = Date.now();
      if (row.revokedAt != null && row.revokedAt <= now) throw refuse('This API key has been revoked.', 'revoked key', row.name);
      if (row.expiresAt != null && row.expiresAt <= now) throw refuse('This API key has expired.', 'expired key', row.name);
      c.set('principal', {
        keyId: row.id,
        keyHash: hash,
        name: row.name,
        team: row.teamId ?? undefined,
        user: row.userId ?? undefined,
        tags: row.tags ?? [],
        models: row.allowedModels ?? undefined,
        rpm: row.rpm ?? undefined,
        tpm: row.tpm ?? undefined,
        budget: row.budgetMicros != null && row.budgetPeriod ? { micros: row.budgetMicros, period: row.budgetPeriod, alerts: row.budgetAlerts ?? undefined } : undefined,
        createdAt: row.createdAt,
        expiresAt: row.expiresAt ?? undefined,
      });
      return next();
    }
    if (rt.config.server.allow_anonymous) {
      c.set('principal', ANONYMOUS);
      return next();
    }
    throw refuse('Invalid API key.', 'unknown key');
  };
}
