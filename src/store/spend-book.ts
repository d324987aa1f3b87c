import type { InStatement } from '@libsql/client';
import { GatewayError } from '../lib/errors.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { BudgetGate } from './budget-leases.ts';
import type { BudgetScope } from './budgets.ts';
import { periodStart, type Period } from './periods.ts';
import type { Limit, RateGate } from './rate-leases.ts';
import type { UsageRecord } from './usage-record.ts';

const PERIODS: Period[] = ['day', 'week', 'month'];

/** The (scope, period) counters a budget hold books a request's spend into when it settles. */
export type Booked = { scope: 'key' | 'team'; period: Period }[];

/** Spend of a request no reservation covered, booked with its row so counters stay current. */
export interface SpendItem {
  scope: 'key' | 'team';
  id: string;
  micros: number;
  period?: Period;
}

/** What one request holds: tpm/rpm room and budget room, given back or booked by one `settle`. */
export interface SpendHold {
  /** The budget counters this hold books into (the ledger row books the rest). */
  booked: Booked;
  /** Books the actual cost and tokens; releases every hold. Runs once; never throws. */
  settle(actual: { costMicros: number; tokens: number }): void;
}

export interface HoldRequest {
  limits: Limit[];
  /** Tokens held against tpm (prompt estimate plus the output bound). */
  tokens: number;
  scopes: BudgetScope[];
  /** The request's worst-case cost, held on every budget scope. */
  worstMicros: number;
}

export interface SpendBookParts {
  /** Counts every subject per minute; enforces rpm/tpm when `rates` is absent. */
  limiter: RateLimiter;
  /** rpm and tpm shared by every instance on the database. */
  rates?: RateGate;
  /** Budgets admitted against leased room. */
  budgets?: BudgetGate;
  /**
   * Told which budgets a settled request spent on, or which budget refused a request for want of
   * room (`exhausted`: it is used up for requests like this one); for budget alerts; must not throw.
   */
  budgetWatch?: (scopes: BudgetScope[], exhausted?: boolean) => void;
}

/**
 * The spend book: the one place a request's holds are taken (rate windows, then budgets) and
 * settled (tokens into the windows, cost into the budgets), and where the spend a ledger row
 * still has to book is worked out. A refused budget hold gives the rate room back.
 */
export function spendBook(parts: SpendBookParts) {
  return {
    async hold(h: HoldRequest): Promise<SpendHold> {
      const rateHold = parts.rates ? await parts.rates.hold(h.limits, h.tokens) : undefined;
      const ticket = parts.limiter.admit(rateHold ? h.limits.map((l) => ({ subject: l.subject })) : h.limits, h.tokens);
      let budget: Awaited<ReturnType<BudgetGate['hold']>>;
      try {
        if (h.scopes.length) budget = await parts.budgets!.hold(h.scopes, h.worstMicros);
      } catch (e) {
        parts.limiter.settle(ticket, 0);
        rateHold?.settle(0);
        const refused = e instanceof GatewayError && e.kind === 'budget_exceeded' ? e.headers?.['x-tollgate-budget'] : undefined;
        if (refused) parts.budgetWatch?.(h.scopes.filter((s) => `${s.scope}:${s.id}:${s.period}` === refused), true);
        throw e;
      }
      let settled = false;
      return {
        booked: budget ? h.scopes.map((s) => ({ scope: s.scope, period: s.period })) : [],
        settle(actual) {
          if (settled) return;
          settled = true;
          parts.limiter.settle(ticket, actual.tokens);
          rateHold?.settle(actual.tokens);
          budget?.settle(actual.costMicros);
          if (budget && actual.costMicros > 0) parts.budgetWatch?.(h.scopes);
        },
      };
    },
  };
}

export type SpendBook = ReturnType<typeof spendBook>;

/** The spend a finished request books with its ledger row: every counter its budget hold did not. */
export function unreservedSpend(r: UsageRecord): SpendItem[] {
  const spend: SpendItem[] = [];
  if (r.usage_source === 'none') return spend;
  const keyId = r.key_id ?? r.key_hash;
  for (const [scope, id] of [['key', keyId], ['team', r.team]] as const) {
    if (!id) continue;
    for (const period of PERIODS) {
      if (!r.booked?.some((b) => b.scope === scope && b.period === period)) spend.push({ scope, id, micros: r.cost_micros, period });
    }
  }
  return spend;
}

/** Upserts that add spend (summed per scope and period first) to the day, week and month counters, or to one period. */
export function spendStatements(items: SpendItem[], now = Date.now()): InStatement[] {
  const sums = new Map<string, { scope: 'key' | 'team'; id: string; period: Period; micros: number; n: number }>();
  for (const i of items) {
    for (const period of i.period ? [i.period] : PERIODS) {
      const k = `${i.scope}\u0000${i.id}\u0000${period}`;
      const cur = sums.get(k) ?? { scope: i.scope, id: i.id, period, micros: 0, n: 0 };
      cur.micros += i.micros;
      cur.n += 1;
      sums.set(k, cur);
    }
  }
  return [...sums.values()].map((s) => {
    const p = s.period;
    return {
      sql: `INSERT INTO spend (scope, scope_id, period, period_start, spent_micros, requests) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET spent_micros = spent_micros + excluded.spent_micros, requests = requests + excluded.requests`,
      args: [s.scope, s.id, p, periodStart(p, now), s.micros, s.n],
    };
  });
}

