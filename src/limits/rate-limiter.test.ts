import { expect, test } from 'bun:test';
import { rateLimiter } from './rate-limiter.ts';
import { GatewayError } from '../lib/errors.ts';

test('rpm admits up to the limit, then refuses with Retry-After until the window slides', () => {
  let now = 1_000_000;
  const rl = rateLimiter(() => now);
  const limits = [{ subject: 'key:k', rpm: 3 }];
  for (let i = 0; i < 3; i++) rl.admit(limits, 0);
  const err = (() => {
    try {
      rl.admit(limits, 0);
    } catch (e) {
      return e as GatewayError;
    }
  })();
  expect(err?.kind).toBe('rate_limited');
  expect(err?.headers?.['retry-after']).toBe('60');
  now += 30_000;
  expect(() => rl.admit(limits, 0)).toThrow(GatewayError);
  now += 31_000;
  expect(() => rl.admit(limits, 0)).not.toThrow();
});

test('tpm holds the worst case at admission and settles to what was used', () => {
  let now = 5_000_000;
  const rl = rateLimiter(() => now);
  const limits = [{ subject: 'team:ml', tpm: 1000 }];
  const t = rl.admit(limits, 700);
  // Held, not yet used: a second request that would pass the limit is refused at once.
  expect(() => rl.admit(limits, 400)).toThrow('1000 tokens per minute');
  rl.settle(t, 300);
  expect(rl.peek('team:ml').tokens).toBe(300);
  rl.admit(limits, 400);
  rl.settle(rl.admit(limits, 200), 900);
  expect(() => rl.admit(limits, 200)).toThrow('1000 tokens per minute');
  now += 61_000;
  expect(() => rl.admit(limits, 200)).not.toThrow();
});

test('a refused request is not counted against any limit', () => {
  const rl = rateLimiter(() => 0);
  rl.admit([{ subject: 'team:t', rpm: 1 }], 0);
  expect(() => rl.admit([{ subject: 'key:a', rpm: 5 }, { subject: 'team:t', rpm: 1 }], 0)).toThrow();
  for (let i = 0; i < 5; i++) rl.admit([{ subject: 'key:a', rpm: 5 }], 0);
});

test('every subject is counted, limited or not, and idle windows are evicted', () => {
  let now = 9_000_000;
  const rl = rateLimiter(() => now);
  for (let i = 0; i < 10_000; i++) rl.admit([{ subject: `key:k${i}` }], 5);
  expect(rl.peek('key:k7')).toEqual({ requests: 1, tokens: 5 });
  expect(rl.size()).toBe(10_000);
  now += 61_000;
  rl.admit([{ subject: 'key:fresh' }], 1);
  expect(rl.size()).toBe(1);
  expect(rl.peek('key:k7')).toEqual({ requests: 0, tokens: 0 });
});
