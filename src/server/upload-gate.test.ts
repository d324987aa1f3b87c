import { expect, test } from 'bun:test';
import { GatewayError } from '../lib/errors.ts';
import { uploadGate } from './upload-gate.ts';

const limits = { maxUploads: 2, maxBytes: 20 << 20, queueMs: 50 };
const MB = 1 << 20;

test('uploads beyond the cap are refused at once with a 503 and Retry-After', async () => {
  const gate = uploadGate();
  await gate.acquire(100, limits);
  await gate.acquire(100, limits);
  const refused = await gate.acquire(100, limits).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(GatewayError);
  expect((refused as GatewayError).status).toBe(503);
  expect((refused as GatewayError).headers?.['retry-after']).toBe('1');
});

test('large bodies queue for bytes until one is released; small ones never wait', async () => {
  const gate = uploadGate();
  const l = { ...limits, maxUploads: 10, queueMs: 1_000 };
  const a = await gate.acquire(12 * MB, l);
  a.read();
  let second = false;
  const b = gate.acquire(12 * MB, l).then((t) => ((second = true), t));
  const small = await gate.acquire(100 * 1024, l);
  await Bun.sleep(10);
  expect(second).toBe(false);
  expect(gate.stats().queued).toBe(1);
  a.release();
  (await b).release();
  small.release();
  expect(second).toBe(true);
  expect(gate.stats()).toEqual({ uploads: 0, bytes: 0, queued: 0 });
});

test('a queued body that waits past queueMs gets a 503 and leaves nothing held', async () => {
  const gate = uploadGate();
  const l = { ...limits, maxUploads: 10 };
  const a = await gate.acquire(15 * MB, l);
  const late = await gate.acquire(15 * MB, l).catch((e: unknown) => e);
  expect((late as GatewayError).status).toBe(503);
  a.release();
  expect(gate.stats()).toEqual({ uploads: 0, bytes: 0, queued: 0 });
});
