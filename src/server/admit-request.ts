import type { Context } from 'hono';
import type { Admission } from '../enforce/admit.ts';
import { openExchange, type Exchange } from '../exchange/exchange.ts';
import type { RequestBody } from '../policy/input.ts';
import type { Env } from './context.ts';
import type { AppDeps } from './deps.ts';

/**
 * Opens the exchange for a parsed request and runs admission into it. A refusal (unknown model,
 * policy deny, rate limit, budget) is recorded in the ledger with its reason and decision id
 * before it is thrown to the renderer.
 */
export async function admitRequest<B extends RequestBody>(c: Context<Env>, deps: AppDeps, request: B, kind: 'chat' | 'embeddings', stream: boolean): Promise<{ ex: Exchange<B>; admission: Admission<B> }> {
  c.get('trace')?.claim(traceFacts(request));
  const ex = openExchange(deps, { requestId: c.get('requestId'), principal: c.get('principal'), runtime: c.get('runtime'), startedAt: c.get('startedAt'), request, kind, stream });
  const admission = await ex.admit(deps.enforce!, { headers: c.req.raw.headers, clientIp: () => deps.clientIp?.(c.req.raw) });
  return { ex, admission };
}

/** The request parameters a trace records (GenAI gen_ai.request.*), whatever the client schema. */
function traceFacts(r: RequestBody) {
  const b = r.body as { model: string; stream?: boolean | null; max_tokens?: unknown; max_completion_tokens?: unknown; max_output_tokens?: unknown; temperature?: unknown; top_p?: unknown };
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return { endpoint: r.endpoint, model: b.model, stream: b.stream === true, maxTokens: num(b.max_completion_tokens) ?? num(b.max_tokens) ?? num(b.max_output_tokens), temperature: num(b.temperature), topP: num(b.top_p) };
}
