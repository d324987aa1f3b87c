import type { Attributes, Context, Span, TextMapGetter, TextMapSetter, Tracer } from '@opentelemetry/api';
import type { GatewayConfig } from '../config/schema.ts';
import type { UsageRecord } from '../store/usage-record.ts';
import { genAiOperationName, genAiProviderName } from './genai.ts';

type TracingConfig = NonNullable<GatewayConfig['tracing']>;

/** One upstream attempt's span: the headers that carry it to the provider, and its end. */
export interface AttemptTrace {
  readonly headers: Record<string, string>;
  end(result: { status: number | string; error?: string }): void;
}

/** The span of one API request, from arrival to its usage record (a stream: its end). */
export interface RequestTrace {
  /** The request became an exchange: its usage record ends the span (Tracing.finish), not the handler's return. */
  claim(request: { endpoint: string; model: string; stream: boolean; maxTokens?: number; temperature?: number; topP?: number }): void;
  readonly claimed: boolean;
  /** A child span for one upstream attempt, parented here, its context sent on as `traceparent`. */
  attempt(provider: string, model: string): AttemptTrace;
  /** Ends a request that never became an exchange (refused before admission, not found, …). */
  end(status: number): void;
}

export interface Tracing {
  start(requestId: string, method: string, path: string, headers: Headers): RequestTrace;
  /** Ends the claimed request span of this record with its GenAI attributes. */
  finish(record: UsageRecord): void;
  /** Exports what is queued (bounded by its timeout). */
  shutdown(): Promise<void>;
}

const getter: TextMapGetter<Headers> = { get: (h, k) => h.get(k) ?? undefined, keys: (h) => [...h.keys()] };
const setter: TextMapSetter<Record<string, string>> = { set: (c, k, v) => void (c[k] = v) };
/** The route a path matched, with ids as placeholders: span names stay few (stored-response ids are not names). */
function routeOf(path: string): string {
  const m = /^(\/v1\/responses)\/[^/]+(\/input_items)?$/.exec(path);
  if (m) return `${m[1]}/{response_id}${m[2] ?? ''}`;
  return /^\/v1\/models\/.+$/.test(path) ? '/v1/models/{model}' : path.length > 64 ? path.slice(0, 64) : path;
}

/** Claimed spans whose record never came (a bug elsewhere) are dropped past this many. */
const MAX_OPEN = 10_000;

/**
 * OpenTelemetry traces over OTLP/HTTP: a server span per API request (parented by the client's
 * W3C `traceparent` when it sends one) and a client span per upstream attempt, whose context goes
 * to the provider as `traceparent`. GenAI attributes follow the semantic conventions. The SDK
 * is loaded only when `tracing.endpoint` is set; spans are exported in batches from a bounded
 * queue (a full queue drops spans, it never grows or blocks requests).
 */
export async function createTracing(cfg: TracingConfig, providerType: (name: string) => GatewayConfig['providers'][string]['type'] | undefined): Promise<Tracing> {
  const [api, sdk, core, resources, otlp] = await Promise.all([import('@opentelemetry/api'), import('@opentelemetry/sdk-trace'), import('@opentelemetry/core'), import('@opentelemetry/resources'), import('@opentelemetry/exporter-trace-otlp-http')]);
  const exporter = new otlp.OTLPTraceExporter({ url: cfg.endpoint, headers: cfg.headers, timeoutMillis: cfg.export_timeout_ms });
  const provider = new sdk.TracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': cfg.service_name }),
    sampler: new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(cfg.sample_ratio) }),
    // Attribute values come partly from clients (the model asked for): bounded.
    spanLimits: { attributeValueLengthLimit: 256, attributeCountLimit: 64 },
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter, maxQueueSize: cfg.max_queue, scheduledDelayMillis: cfg.batch_ms, exportTimeoutMillis: cfg.export_timeout_ms })],
  });
  const tracer: Tracer = provider.getTracer('tollgate');
  const propagator = new core.W3CTraceContextPropagator();
  const open = new Map<string, { span: Span; operation: string }>();

  function start(requestId: string, method: string, path: string, headers: Headers): RequestTrace {
    const parent: Context = propagator.extract(api.ROOT_CONTEXT, headers, getter);
    const route = routeOf(path);
    const span = tracer.startSpan(`${method} ${route}`, { kind: api.SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route, 'tollgate.request_id': requestId } }, parent);
    const ctx = api.trace.setSpan(parent, span);
    let claimed = false;
    let ended = false;
    let operation = '';
    let attempts = 0;
    return {
      get claimed() {
        return claimed;
      },
      claim(r) {
        claimed = true;
        operation = genAiOperationName(r.endpoint);
        // The model as the client wrote it (not yet checked against the catalog): bounded.
        const model = r.model.slice(0, 128);
        span.updateName(`${operation} ${model}`);
        const a: Attributes = { 'gen_ai.operation.name': operation, 'gen_ai.request.model': model, 'tollgate.endpoint': r.endpoint, 'tollgate.stream': r.stream };
        if (r.maxTokens !== undefined) a['gen_ai.request.max_tokens'] = r.maxTokens;
        if (r.temperature !== undefined) a['gen_ai.request.temperature'] = r.temperature;
        if (r.topP !== undefined) a['gen_ai.request.top_p'] = r.topP;
        span.setAttributes(a);
        if (open.size >= MAX_OPEN) open.delete(open.keys().next().value!);
        open.set(requestId, { span, operation });
      },
      attempt(providerName, model) {
        attempts++;
        const child = tracer.startSpan(
          `${operation || 'call'} ${model}`,
          { kind: api.SpanKind.CLIENT, attributes: { 'gen_ai.operation.name': operation, 'gen_ai.provider.name': genAiProviderName(providerType(providerName), providerName), 'gen_ai.request.model': model, 'tollgate.provider': providerName, 'tollgate.attempt': attempts } },
          ctx,
        );
        const carrier: Record<string, string> = {};
        propagator.inject(api.trace.setSpan(ctx, child), carrier, setter);
        let done = false;
        return {
          headers: carrier,
          end({ status, error }) {
            if (done) return;
            done = true;
            if (typeof status === 'number') child.setAttribute('http.response.status_code', status);
            if (status !== 200) {
              child.setAttribute('error.type', typeof status === 'number' ? String(status) : status);
              child.setStatus({ code: api.SpanStatusCode.ERROR, message: error?.slice(0, 300) });
            }
            child.end();
          },
        };
      },
      end(status) {
        if (ended || claimed) return;
        ended = true;
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
        span.end();
      },
    };
  }

  function finish(r: UsageRecord): void {
    const o = open.get(r.request_id);
    if (!o) return;
    open.delete(r.request_id);
    const { span } = o;
    const a: Attributes = { 'http.response.status_code': r.status, 'tollgate.outcome': r.outcome, 'tollgate.attempts': r.attempts.length, 'tollgate.cost_micro_usd': r.cost_micros };
    if (r.provider) a['gen_ai.provider.name'] = genAiProviderName(providerType(r.provider), r.provider);
    if (r.served_model) a['gen_ai.response.model'] = r.served_model;
    if (r.usage_source !== 'none') {
      a['gen_ai.usage.input_tokens'] = r.usage.input_tokens;
      a['gen_ai.usage.output_tokens'] = r.usage.output_tokens;
      if (r.usage.cached_input_tokens) a['gen_ai.usage.cache_read.input_tokens'] = r.usage.cached_input_tokens;
      if (r.usage.cache_write_tokens) a['gen_ai.usage.cache_creation.input_tokens'] = r.usage.cache_write_tokens;
    }
    if (r.team) a['tollgate.team'] = r.team;
    if (r.decision_id) a['tollgate.decision_id'] = r.decision_id;
    if (r.ttft_ms !== undefined) a['tollgate.ttft_ms'] = r.ttft_ms;
    if (r.outcome !== 'ok') {
      a['error.type'] = r.outcome;
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: r.error_message?.slice(0, 300) });
    }
    span.setAttributes(a);
    span.end();
  }

  return { start, finish, shutdown: () => provider.shutdown() };
}
