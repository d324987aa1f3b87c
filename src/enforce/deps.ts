import type { Logger } from '../lib/logger.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { PolicyRuntime } from '../policy/runtime.ts';
import type { DecisionLog } from '../store/decision-log.ts';
import type { BudgetGate } from '../store/budget-leases.ts';
import type { RateGate } from '../store/rate-leases.ts';
import type { SpendBook } from '../store/spend-book.ts';
import type { SpendCountersFn } from '../store/counters.ts';
import type { TeamCacheFn } from '../store/team-cache.ts';
import type { HealthSource } from './provider-facts.ts';
import type { Metrics } from '../obs/metrics.ts';
import type { BudgetScope } from '../store/budgets.ts';

/** What admission needs; all optional parts switch their step off when absent. */
export interface EnforceDeps {
  logger: Logger;
  /** Counts every subject per minute (the policy's counters); enforces rpm/tpm when `rates` is absent. */
  limiter: RateLimiter;
  /** rpm and tpm shared by every instance on the database (leased windows); the limiter then only counts. */
  rates?: RateGate;
  policy?: PolicyRuntime;
  /** Where every (sampled) policy decision is recorded, off the request path. */
  decisions?: DecisionLog;
  /** Budgets admitted against leased room in memory (no database write per request). */
  budgets?: BudgetGate;
  /** Told which budgets a settled request spent on (budget alerts). */
  budgetWatch?: (scopes: BudgetScope[], exhausted?: boolean) => void;
  /** Takes and settles every hold (rate windows and budgets): built from limiter, rates and budgets. */
  book?: SpendBook;
  counters?: SpendCountersFn;
  team?: TeamCacheFn;
  /** Completion tokens assumed for a budget reservation when the request sets no limit. */
  defaultMaxTokens?: number;
  /** Provider health from the router, for the policy input. */
  health?: HealthSource;
  /** Counts decisions and their evaluation time. */
  metrics?: Pick<Metrics, 'decision' | 'budgets'>;
}
