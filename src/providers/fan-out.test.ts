import { expect, test } from 'bun:test';
import { answeredParts, fanOut } from './fan-out.ts';
import type { PreparedRequest } from './types.ts';

const parts = (n: number): PreparedRequest[] => Array.from({ length: n }, (_, i) => ({ url: `http://up/${i}`, init: { method: 'POST', headers: {} } }));

test('a part that fails after others were answered: its response, how many were answered, and the parts in flight aborted', async () => {
  const aborted: number[] = [];
  const transport = (async (url: string, init: RequestInit) => {
    const i = Number(url.split('/').pop());
    if (i === 9) return new Response('{"error":{"message":"too long"}}', { status: 400 });
    if (i >= 10) {
      // Still in flight when part 9 fails: must be aborted, not waited for.
      return new Promise<Response>((_, reject) => init.signal!.addEventListener('abort', () => (aborted.push(i), reject(new Error('aborted')))));
    }
    return Response.json({ ok: i });
  }) as typeof fetch;
  const res = await fanOut(parts(16), { method: 'POST' }, transport);
  expect(res.status).toBe(400);
  expect(answeredParts.get(res)).toBe(9);
  expect(aborted.length).toBeGreaterThan(0);
});

test('the first part failing: nothing was answered, the failure is plain', async () => {
  const transport = (async () => new Response('{"error":{"message":"bad"}}', { status: 400 })) as unknown as typeof fetch;
  const res = await fanOut(parts(4), { method: 'POST' }, transport);
  expect(res.status).toBe(400);
  expect(answeredParts.get(res)).toBeUndefined();
});

test('every part answered: one 200 with the answers in order', async () => {
  const transport = (async (url: string) => Response.json({ n: Number(url.split('/').pop()) })) as unknown as typeof fetch;
  const res = await fanOut(parts(12), { method: 'POST' }, transport);
  expect(((await res.json()) as { parts: { n: number }[] }).parts.map((p) => p.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
});
