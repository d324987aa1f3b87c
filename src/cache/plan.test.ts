import { expect, test } from 'bun:test';
import { cacheSchema } from '../config/cache-schema.ts';
import type { Principal } from '../enforce/principal.ts';
import { GatewayError } from '../lib/errors.ts';
import { cachePlan, clientAsk, type ClientAsk } from './plan.ts';

const config = cacheSchema.parse({ default_ttl_s: 600, max_ttl_s: 3600 });
const red: Principal = { keyId: 'key_1', keyHash: 'h1', name: 'one', team: 'red', tags: [] };
const loner: Principal = { keyId: 'key_2', keyHash: 'h2', name: 'two', tags: [] };

test('no cache field or mode off: no plan', () => {
  expect(cachePlan(undefined, undefined, red, config)).toBeUndefined();
  expect(cachePlan({ mode: 'off' }, 'bypass', red, config)).toBeUndefined();
});

test('scope: the key by default; team within the team (a key without one stays its own); global', () => {
  expect(cachePlan({ mode: 'read' }, undefined, red, config)!.tenant).toBe('key:key_1');
  expect(cachePlan({ mode: 'read', scope: 'team' }, undefined, red, config)!.tenant).toBe('team:red');
  expect(cachePlan({ mode: 'read', scope: 'team' }, undefined, loner, config)!.tenant).toBe('key:key_2');
  expect(cachePlan({ mode: 'read', scope: 'global' }, undefined, loner, config)!.tenant).toBe('global');
});

test('an anonymous caller is cached only in the global scope: its key or team scope would be shared by every client without a key', () => {
  const anonymous: Principal = { name: 'anonymous', tags: [] };
  expect(cachePlan({ mode: 'read_write' }, undefined, anonymous, config)).toBeUndefined();
  expect(cachePlan({ mode: 'read_write', scope: 'team' }, undefined, anonymous, config)).toBeUndefined();
  expect(cachePlan({ mode: 'read_write', scope: 'global' }, undefined, anonymous, config)!.tenant).toBe('global');
});

test('ttl: the decision, else the config default, never past max_ttl_s', () => {
  expect(cachePlan({ mode: 'write', ttl_s: 60 }, undefined, red, config)!.ttlMs).toBe(60_000);
  expect(cachePlan({ mode: 'write' }, undefined, red, config)!.ttlMs).toBe(600_000);
  expect(cachePlan({ mode: 'write', ttl_s: 999_999 }, undefined, red, config)!.ttlMs).toBe(3_600_000);
});

test('modes and the client ask, with and without the policy allowing bypass', () => {
  const rw = (ask: ClientAsk, bypass?: boolean) => {
    const p = cachePlan({ mode: 'read_write', bypass }, ask, red, config)!;
    return [p.read, p.write, p.bypassed, p.headers['x-tollgate-cache-bypass'] ?? 'none'] as unknown[];
  };
  expect(rw(undefined)).toEqual([true, true, false, 'none']);
  expect(rw('bypass', true)).toEqual([false, false, true, 'none']);
  expect(rw('refresh', true)).toEqual([false, true, true, 'none']);
  expect(rw('bypass')).toEqual([true, true, false, 'refused']);
  expect(rw('refresh', false)).toEqual([true, true, false, 'refused']);
  const r = cachePlan({ mode: 'read' }, undefined, red, config)!;
  const w = cachePlan({ mode: 'write' }, undefined, red, config)!;
  expect([r.read, r.write, w.read, w.write]).toEqual([true, false, false, true]);
  expect(cachePlan({ mode: 'read', semantic: {} }, undefined, red, config)!.semantic).toBe(0.95);
  expect(cachePlan({ mode: 'read', semantic: { threshold: 0.9 } }, undefined, red, config)!.semantic).toBe(0.9);
});

test('the client header: bypass/no-store, refresh/no-cache, absent; anything else is a 400 naming it', () => {
  const h = (v?: string) => clientAsk(new Headers(v === undefined ? {} : { 'x-tollgate-cache': v }));
  expect([h(), h('bypass'), h('No-Store'), h('refresh'), h(' no-cache ')]).toEqual([undefined, 'bypass', 'bypass', 'refresh', 'refresh']);
  try {
    h('always');
    throw new Error('accepted');
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    expect((e as GatewayError).status).toBe(400);
    expect((e as GatewayError).message).toContain('x-tollgate-cache');
  }
});
