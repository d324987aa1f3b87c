/**
 * The semantic cache's embeddings, made by the configured embedding model through Tollgate's own
 * way for an embeddings request: an exchange of its own for the caller (the same key and team),
 * admitted by policy, rate limits and budgets, routed with retries and fallbacks, and closed into
 * the ledger as an `embeddings` row tagged `cache.semantic`, its cost booked like any other.
 */
import type { Runtime } from '../config/runtime.ts';
import type { EnforceDeps } from '../enforce/deps.ts';
import type { Principal } from '../enforce/principal.ts';
import { openExchange, type ExchangeDeps } from '../exchange/exchange.ts';
import { GatewayError, toGatewayError } from '../lib/errors.ts';
import { requestId } from '../lib/ids.ts';
import { embeddingsTranslator } from '../providers/registry.ts';
import { routeJson } from '../routing/execute.ts';
import type { Router } from '../routing/router.ts';
import { routeSettings } from '../routing/settings.ts';
import { RouteError } from '../routing/route-error.ts';

/** The tag on the usage row of every embedding call the semantic cache makes. */
export const SEMANTIC_TAG = 'cache.semantic';

/** Whose request the embedding is made for: it is billed to them. */
export interface EmbedCaller {
  principal: Principal;
  runtime: Runtime;
  /** The request the lookup is for (the embedding's own row links to it in its metadata). */
  requestId: string;
  signal?: AbortSignal;
}

export interface Embedder {
  /** The embedding model's public name (part of every bucket: two models' vectors never compare). */
  readonly model: string;
  embed(text: string, caller: EmbedCaller): Promise<Float32Array>;
}

export interface RoutedEmbedderDeps {
  exchange: ExchangeDeps;
  enforce: EnforceDeps;
  router: Router;
}

/** An embedder that calls `model` (a public model name of the catalog) through the router. */
export function routedEmbedder(deps: RoutedEmbedderDeps, model: string): Embedder {
  return {
    model,
    async embed(text, caller) {
      const request = { endpoint: 'embeddings' as const, body: { model, input: text } };
      const ex = openExchange(deps.exchange, { requestId: requestId(), principal: caller.principal, runtime: caller.runtime, startedAt: performance.now(), request, kind: 'embeddings', stream: false, tags: [SEMANTIC_TAG] });
      const headers = new Headers({ 'x-tollgate-metadata': JSON.stringify({ cache_for: caller.requestId }) });
      const admission = await ex.admit(deps.enforce, { headers });
      const started = performance.now();
      try {
        const served = await routeJson({
          router: deps.router,
          runtime: caller.runtime,
          targets: admission.targets,
          settings: routeSettings(caller.runtime.config.routing, admission.decision),
          body: admission.request.body,
          clientHeaders: new Headers(),
          inputTokens: admission.inputTokens,
          signal: caller.signal ?? new AbortController().signal,
          translatorFor: (adapter) => embeddingsTranslator(adapter.wire, adapter.name),
          modelName: (t) => t.model,
        });
        const upstreamMs = served.attempts.reduce((n, a) => n + a.ms, 0) + served.waitedMs;
        ex.close({ status: 200, outcome: 'ok', provider: served.target.provider, servedModel: served.target.model, attempts: served.attempts, usage: served.translator.usage(), overheadMs: Math.max(0, performance.now() - started - upstreamMs) });
        return vectorOf(served.value, model);
      } catch (e) {
        const err = toGatewayError(e);
        const attempts = e instanceof RouteError ? e.attempts : [];
        ex.close({ status: err.status, outcome: err.code === 'client_closed' ? 'interrupted' : err.kind, attempts, provider: attempts.at(-1)?.provider, servedModel: attempts.at(-1)?.model, errorMessage: err.message });
        throw err;
      }
    },
  };
}

function vectorOf(value: unknown, model: string): Float32Array {
  const e = (value as { data?: { embedding?: unknown }[] } | undefined)?.data?.[0]?.embedding;
  if (!Array.isArray(e) || !e.length || !e.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new GatewayError('upstream_error', `the semantic cache's embedding model '${model}' answered without a float embedding`);
  }
  return Float32Array.from(e as number[]);
}
