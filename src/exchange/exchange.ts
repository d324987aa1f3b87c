import type { Runtime } from '../config/runtime.ts';
import { admit, type Admission } from '../enforce/admit.ts';
import type { EnforceDeps } from '../enforce/deps.ts';
import { exchangeFacts, type ExchangeFacts } from '../enforce/facts.ts';
import type { Principal } from '../enforce/principal.ts';
import { toGatewayError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { PolicyDeniedError } from '../policy/deny.ts';
import type { RequestBody } from '../policy/input.ts';
import type { UsageRecord } from '../store/usage-record.ts';
import { closeExchange, type Outcome } from './close.ts';
import { METADATA_HEADER, parseRequestMetadata } from '../policy/request-metadata.ts';

/** Where a closed exchange goes: the ledger hook, the log, and shutdown's wait for estimates. */
export interface ExchangeDeps {
  logger: Logger;
  onUsage?: (record: UsageRecord) => void;
  settling?: Set<Promise<void>>;
}

export interface ExchangeStart<B extends RequestBody> {
  requestId: string;
  principal: Principal | undefined;
  runtime: Runtime;
  /** performance.now() when the request came in. */
  startedAt: number;
  request: B;
  kind: 'chat' | 'embeddings';
  stream: boolean;
  /** Tags the gateway adds to the decision's on the usage row (`cache.semantic` on a cache's own embedding call). */
  tags?: string[];
}

/**
 * One request, from parsing to the ledger. Opened after the body is parsed, with the request's
 * facts worked out once (counts, PII, the input-token estimate); filled by admission; read by
 * the router; closed exactly once (usage row, spend booked, holds released).
 */
export interface Exchange<B extends RequestBody = RequestBody> {
  readonly deps: ExchangeDeps;
  readonly requestId: string;
  readonly principal: Principal | undefined;
  readonly runtime: Runtime;
  readonly startedAt: number;
  readonly endpoint: string;
  readonly requestedModel: string;
  readonly stream: boolean;
  /** The request as the client sent it (admission.request is the one that leaves). */
  readonly parsed: B;
  readonly facts: ExchangeFacts;
  /** Set by `admit`: the outgoing request, its targets, decision and holds. */
  readonly admission: Admission<B> | undefined;
  /** The caller's `x-tollgate-metadata` (validated by `admit`), for the usage row. */
  readonly metadata: Record<string, string> | undefined;
  /** The gateway's own tags for the usage row (ExchangeStart.tags). */
  readonly tags: string[] | undefined;
  /** Runs admission into this exchange; a refusal closes it (its ledger row) and is thrown. */
  admit(enforce: EnforceDeps, caller: { headers: Headers; clientIp?: () => string | undefined }): Promise<Admission<B>>;
  /** Closes the exchange: usage row, spend booked, holds released. Only the first call counts. */
  close(outcome: Outcome): void;
}

export function openExchange<B extends RequestBody>(deps: ExchangeDeps, s: ExchangeStart<B>): Exchange<B> {
  let admission: Admission<B> | undefined;
  let metadata: Record<string, string> | undefined;
  let closed = false;
  const ex: Exchange<B> = {
    deps,
    requestId: s.requestId,
    principal: s.principal,
    runtime: s.runtime,
    startedAt: s.startedAt,
    endpoint: s.request.endpoint,
    requestedModel: s.request.body.model,
    stream: s.stream,
    parsed: s.request,
    facts: exchangeFacts(s.request, s.kind),
    tags: s.tags,
    get admission() {
      return admission;
    },
    get metadata() {
      return metadata;
    },
    async admit(enforce, caller) {
      try {
        metadata = parseRequestMetadata(caller.headers.get(METADATA_HEADER));
        admission = await admit(enforce, {
          runtime: s.runtime,
          // Admission runs behind auth, which always sets the principal.
          principal: s.principal!,
          requestId: s.requestId,
          request: s.request,
          headers: caller.headers,
          clientIp: caller.clientIp,
          kind: s.kind,
          facts: ex.facts,
        });
        return admission;
      } catch (e) {
        const err = toGatewayError(e);
        ex.close({ status: err.status, outcome: err.kind, attempts: [], errorMessage: err.message, decisionId: err.headers?.['x-tollgate-decision-id'], reasons: e instanceof PolicyDeniedError ? e.reasons : undefined });
        throw err;
      }
    },
    close(outcome) {
      if (closed) return;
      closed = true;
      closeExchange(ex, outcome);
    },
  };
  return ex;
}
