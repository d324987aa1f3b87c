import type { PreparedRequest } from './types.ts';

/** Parts in flight at once: Bedrock throttles an account's bursts per model. */
const CONCURRENCY = 8;

/**
 * Sends prepared parts (UpstreamCall.parts) with at most CONCURRENCY in flight, under the
 * attempt's signal, and answers as one upstream would: the first failing part's response as it
 * came (so it is classified and retried like any other), else one 200 whose JSON is
 * `{parts: [json, …]}` in the parts' order, with `x-amzn-bedrock-input-token-count` summed.
 */
export async function fanOut(parts: PreparedRequest[], init: RequestInit, transport: typeof fetch): Promise<Response> {
  const answers: { json: unknown; tokens: number }[] = new Array(parts.length);
  let failed: Response | undefined;
  let next = 0;
  const worker = async () => {
    while (!failed && next < parts.length) {
      const i = next++;
      const p = parts[i]!;
      const res = await transport(p.url, { ...p.init, parts: undefined, signal: init.signal, redirect: init.redirect } as RequestInit);
      if (!res.ok) {
        failed ??= res;
        return;
      }
      answers[i] = { json: (await res.json()) as unknown, tokens: Number(res.headers.get('x-amzn-bedrock-input-token-count') ?? 0) || 0 };
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, parts.length) }, worker));
  if (failed) return failed;
  const tokens = answers.reduce((n, a) => n + a.tokens, 0);
  return Response.json({ parts: answers.map((a) => a.json) }, { headers: { 'x-amzn-bedrock-input-token-count': String(tokens) } });
}
