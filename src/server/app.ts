import { Hono } from 'hono';
import { createResponseCache } from '../cache/response-cache.ts';
import { semanticIndexFor } from '../cache/semantic-setup.ts';
import { GatewayError, toGatewayError } from '../lib/errors.ts';
import { errorBody, errorStatus, type ClientSchema } from '../lib/render-error.ts';
import { requestId } from '../lib/ids.ts';
import type { BodyScope, Env } from './context.ts';
import type { AppDeps } from './deps.ts';
import { auth } from './middleware/auth.ts';
import { rateLimiter } from '../limits/rate-limiter.ts';
import { spendBook } from '../store/spend-book.ts';
import { chatCompletionsRoute } from './routes/chat-completions.ts';
import { completionsRoute } from './routes/completions.ts';
import { embeddingsRoute } from './routes/embeddings.ts';
import { responsesRoute } from './routes/responses.ts';
import { healthRoute } from './routes/health.ts';
import { messagesRoute } from './routes/messages.ts';
import { countTokensRoute } from './routes/count-tokens.ts';
import { modelsRoute } from './routes/models.ts';
import { adminRoutes } from './routes/admin/index.ts';
import { metricsRoute } from './routes/metrics.ts';
import { uiRoute } from './routes/ui.ts';
import { uiSessions } from './ui-sessions.ts';
import { createRouter } from '../routing/router.ts';
import { uploadGate } from './upload-gate.ts';
import { ledgerGate } from './middleware/ledger-gate.ts';
import { logThrottle } from '../lib/log-throttle.ts';
import { rootMessage, storageCause, STORAGE_UNAVAILABLE } from '../store/storage-errors.ts';

/**
 * The schema a caller speaks: Anthropic on /v1/messages, and on the shared /v1/models when it
 * sends Anthropic's `anthropic-version` header (the Anthropic SDKs always do); OpenAI otherwise.
 */
function clientSchemaOf(path: string, headers: Headers): ClientSchema {
  if (path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1/responses')) return 'responses';
  return path.startsWith('/v1/models') && headers.has('anthropic-version') ? 'anthropic' : 'openai';
}

/** The Hono app. Everything it needs comes in through deps, so tests build it in-process. */
export function createApp(given: AppDeps): Hono<Env> {
  const router = given.router ?? createRouter({ clock: given.clock });
  const enforce = given.enforce ?? { logger: given.logger, limiter: rateLimiter() };
  const admission = { ...enforce, book: enforce.book ?? spendBook(enforce), health: enforce.health ?? router.providerHealth };
  const wall = () => given.clock?.wall() ?? Date.now();
  // Built once (cache.semantic needs a restart); its embeddings go through this app's admission and router.
  const semantic = () => given.store && semanticIndexFor(given.store.client, given.runtime.current().config.cache, { exchange: { logger: given.logger, onUsage: given.onUsage, settling: given.settling }, enforce: admission, router, logger: given.logger, now: wall });
  const cache = given.cache ?? (given.store ? createResponseCache({ store: given.store, logger: given.logger, config: () => given.runtime.current().config.cache, wall, semantic: semantic() }) : undefined);
  const deps: AppDeps = { ...given, router, cache, uiSessions: given.uiSessions ?? uiSessions(), enforce: admission };
  const uploads = given.uploads ?? uploadGate();
  const app = new Hono<Env>();
  const storageLog = logThrottle({ intervalMs: 10_000 });

  app.use('*', async function requestContext(c, next) {
    c.set('startedAt', performance.now());
    c.set('requestId', requestId());
    c.set('runtime', deps.runtime.current());
    c.set('schema', clientSchemaOf(c.req.path, c.req.raw.headers));
    const body: BodyScope = { gate: uploads, tickets: [], onRead: deps.bodyRead && (() => deps.bodyRead!(c.req.raw)) };
    c.set('body', body);
    const trace = deps.tracing && c.req.path.startsWith('/v1/') ? deps.tracing.start(c.get('requestId'), c.req.method, c.req.path, c.req.raw.headers) : undefined;
    c.set('trace', trace);
    try {
      await next();
    } finally {
      // A request that became an exchange ends its span with its usage record instead.
      trace?.end(c.res.status);
      // The body's bytes stay held until the handler is done with them (a stream: once it has started).
      for (const t of body.tickets) t.release();
    }
  });
  app.use('/v1/*', auth(deps.keys, deps.logger));
  app.use('/v1/*', ledgerGate(deps.ledger));

  app.route('/', healthRoute(deps));
  app.route('/', metricsRoute(deps));
  app.route('/', modelsRoute(deps));
  app.route('/', chatCompletionsRoute(deps));
  app.route('/', completionsRoute(deps));
  app.route('/', countTokensRoute(deps));
  app.route('/', messagesRoute(deps));
  app.route('/', embeddingsRoute(deps));
  app.route('/', responsesRoute(deps, deps.responses));
  app.route('/', adminRoutes(deps));
  app.route('/', uiRoute(deps));

  app.notFound((c) => {
    const err = new GatewayError('not_found', `Unknown endpoint ${c.req.method} ${c.req.path}.`);
    return c.json(errorBody(err, c.get('schema') ?? 'openai'), 404);
  });

  // The one error renderer: every failure leaves in the caller's schema.
  app.onError((e, c) => {
    const err = toGatewayError(e);
    if (err.code === STORAGE_UNAVAILABLE) {
      // The real cause, once per cause per interval, with how many lines were held back.
      const cause = storageCause(err) ?? 'unknown';
      const { log, suppressed } = storageLog.take(cause);
      if (log) deps.logger.error('storage unavailable: requests are refused with 503', { cause, error: rootMessage(err), suppressed_since_last: suppressed, request_id: c.get('requestId') });
    } else if (err.kind === 'internal') deps.logger.error('internal error', { request_id: c.get('requestId'), error: String((e as Error)?.stack ?? e) });
    const schema = c.get('schema') ?? 'openai';
    return c.json(errorBody(err, schema), errorStatus(err, schema) as 400, {
      'x-request-id': c.get('requestId') ?? '',
      ...err.headers,
    });
  });
  return app;
}
