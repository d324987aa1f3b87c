import type { PreparedRequest } from './types.ts';

/** Parts in flight at once: Bedrock throttles an account's bursts per model. */
const CONCURRENCY = 8;

/**
 * A failed fan-out whose other parts had already been answered (and so billed by the provider):
 * how many. The attempt is then billed by estimate, never recorded as free (routing/attempt.ts).
 */
export const answeredParts = new WeakMap<Response, number>();

/**
 * Sends prepared parts (UpstreamCall.parts) with at most CONCURRENCY in flight, under the
 * attempt's signal, and answers as one upstream would: the first failing part's response as it
 * came (so it is classified and retried like any other; the parts still in flight are aborted),
 * else one 200 whose JSON is `{parts: [json, …]}` in the parts' order, with
 * `x-amzn-bedrock-input-token-count` summed.
 */
export async function fanOut(parts: PreparedRequest[], init: RequestInit, transport: typeof fetch): Promise<Response> {
  const answers: { json: unknown; tokens: number }[] = new Array(parts.length);
  // One controller per part in flight: a failure aborts the others, never its own response (whose
  // body is still to be read as the error).
  const inFlight = new Map<number, AbortController>();
  let failed: Response | undefined;
  let answered = 0;
  let next = 0;
  const worker = async () => {
    while (!failed && next < parts.length) {
      const i = next++;
      const p = parts[i]!;
      const own = new AbortController();
      inFlight.set(i, own);
      const signal = init.signal ? AbortSignal.any([init.signal, own.signal]) : own.signal;
      let res: Response;
      try {
        res = await transport(p.url, { ...p.init, parts: undefined, signal, redirect: init.redirect } as RequestInit);
      } catch (e) {
        inFlight.delete(i);
        if (failed) return; // aborted because a sibling failed
        throw e;
      }
      if (!res.ok) {
        inFlight.delete(i);
        if (!failed) {
          failed = res;
          for (const c of inFlight.values()) c.abort();
        } else void res.body?.cancel().catch(() => undefined);
        return;
      }
      try {
        answers[i] = { json: (await res.json()) as unknown, tokens: Number(res.headers.get('x-amzn-bedrock-input-token-count') ?? 0) || 0 };
        answered++;
      } catch (e) {
        if (failed) return;
        throw e;
      } finally {
        inFlight.delete(i);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, parts.length) }, worker));
  if (failed) {
    if (answered > 0) answeredParts.set(failed, answered);
    return failed;
  }
  const tokens = answers.reduce((n, a) => n + a.tokens, 0);
  return Response.json({ parts: answers.map((a) => a.json) }, { headers: { 'x-amzn-bedrock-input-token-count': String(tokens) } });
}
