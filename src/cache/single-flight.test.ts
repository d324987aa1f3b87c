import { expect, test } from 'bun:test';
import { createFakeClock } from '../../test/support/fake-clock.ts';
import { singleFlight } from './single-flight.ts';

const make = () => {
  const clock = createFakeClock();
  return { clock, flights: singleFlight<string>({ clock, waitMs: () => 1_000 }) };
};

test('the first caller leads; the others wait for what it settles with; a second leader is refused while one is under way', async () => {
  const { flights } = make();
  expect(flights.join('k')).toBeUndefined();
  const settle = flights.lead('k')!;
  expect(flights.lead('k')).toBeUndefined();
  const a = flights.join('k')!;
  const b = flights.join('k')!;
  expect(flights.waiting()).toBe(2);
  settle('answer');
  settle('again');
  expect([await a, await b]).toEqual(['answer', 'answer']);
  expect(flights.waiting()).toBe(0);
  expect(flights.size()).toBe(0);
});

test('a failed leader (settled with nothing) frees the key at once: the followers are told to go on their own', async () => {
  const { flights } = make();
  const settle = flights.lead('k')!;
  const a = flights.join('k')!;
  settle(undefined);
  expect(await a).toBeUndefined();
  expect(flights.lead('k')).toBeDefined();
});

test('the wait is bounded by the clock, and ends when the follower\u2019s own signal aborts', async () => {
  const { clock, flights } = make();
  const settle = flights.lead('k')!;
  let late: string | undefined | null = null;
  void flights.join('k')!.then((v) => (late = v));
  const ctl = new AbortController();
  let left: string | undefined | null = null;
  void flights.join('k', ctl.signal)!.then((v) => (left = v));
  ctl.abort();
  await Bun.sleep(0);
  expect(left).toBeUndefined();
  await clock.advance(999);
  expect(late).toBeNull();
  await clock.advance(2);
  expect(late).toBeUndefined();
  expect(clock.pending()).toBe(0);
  settle('answer');
});

test('a settled answer stays joinable until its write lands; a purge drops it', async () => {
  const { flights } = make();
  let landed!: () => void;
  const write = new Promise<void>((r) => (landed = r));
  flights.lead('k')!('answer', write);
  expect(await flights.join('k')).toBe('answer');
  landed();
  await write;
  await Bun.sleep(0);
  expect(flights.join('k')).toBeUndefined();
  flights.lead('p')!('answer', new Promise(() => {}));
  flights.dropSettled();
  expect(flights.join('p')).toBeUndefined();
});
