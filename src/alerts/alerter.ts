import type { AlertsConfig } from '../config/schema.ts';
import type { Clock, Timer } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { claimFiring, recordDelivery, spentIn, type Firing } from '../store/alert-records.ts';
import type { BudgetScope } from '../store/budgets.ts';
import type { Store } from '../store/client.ts';
import { periodEnd, periodStart } from '../store/periods.ts';
import type { LedgerHealth } from '../store/usage-writer.ts';
import { webhookDeliveries, type Deliveries } from './deliver.ts';

export interface AlerterDeps {
  store: Store;
  config: () => AlertsConfig;
  clock: Clock;
  logger: Logger;
  /** This gateway instance (recorded with the firings it sent). */
  instance: string;
  ledger?: () => LedgerHealth | undefined;
  fetch?: typeof fetch;
  /** How often settled budget spend is booked in the database (the budget leases' flush), in ms. */
  bookMs?: number;
}

export interface Alerter {
  /**
   * Budgets a request just spent on: compared with their thresholds at the next check.
   * `exhausted`: the budget refused a request for want of room, which counts as 100% used.
   */
  budgetsTouched(scopes: BudgetScope[], exhausted?: boolean): void;
  /** A deployment's circuit breaker opened. */
  breakerOpened(provider: string, model: string, ejections: number): void;
  /** Runs one check now (budgets touched recently, the ledger's health). */
  check(): Promise<void>;
  readonly deliveries: Deliveries;
  close(): Promise<void>;
}

interface Watched {
  scope: BudgetScope;
  /** Last touched (clock.now()); a budget is checked for a while after, as its spend is booked in batches. */
  touched: number;
  /** The period in which the budget refused a request for want of room (its start), if it did. */
  exhaustedIn?: number;
}

const usd = (micros: number) => (micros / 1e6).toFixed(2);
const PERIOD_WORD = { day: 'daily', week: 'weekly', month: 'monthly' } as const;
/** Budget spend lands in the database in batches (the lease flush): checked at least this long after a touch. */
const WATCH_MS = 10_000;

/**
 * Decides when an alert fires and hands it to the webhooks. A firing is first claimed in the
 * database (a row under a unique index), so with any number of gateway instances on one database
 * exactly one sends it. Budgets are checked every `check_ms` against the spend the database has
 * booked (held room is not spend); breakers and the ledger repeat at most every `repeat_ms`.
 */
export function createAlerter(deps: AlerterDeps): Alerter {
  const { store, clock, logger } = deps;
  const deliveries = webhookDeliveries({ config: deps.config, clock, logger, fetch: deps.fetch, record: (d) => recordDelivery(store, d) });
  const watched = new Map<string, Watched>();
  // Thresholds claimed in a budget window (by this instance or, as its insert showed, another):
  // not claimed again. Each is kept until its window ends.
  const done = new Map<string, number>();
  let ledgerWasBad = false;
  let timer: Timer | undefined;
  let checking: Promise<void> | undefined;
  let closed = false;

  const id = () => 'alrt_' + crypto.randomUUID().replace(/-/g, '').slice(0, 20);
  const active = () => deps.config().webhooks.length > 0;

  async function fire(f: Omit<Firing, 'id' | 'firedAt' | 'instance'>, summary: string, { failOpen = false } = {}): Promise<boolean> {
    const firing: Firing = { ...f, id: id(), firedAt: clock.wall(), instance: deps.instance };
    let mine: boolean;
    try {
      mine = await claimFiring(store, firing);
    } catch (e) {
      // The ledger alert is about the database refusing writes: sent even if it cannot be recorded.
      if (!failOpen) throw e;
      logger.warn('alert not recorded (the database refuses); sending it anyway', { alert: f.kind, error: String(e) });
      mine = true;
    }
    if (mine) deliveries.send(firing, summary);
    return mine;
  }

  async function checkBudgets(): Promise<void> {
    const now = clock.now();
    const wall = clock.wall();
    const windows = [...watched.entries()].map(([k, w]) => ({ k, w, start: periodStart(w.scope.period, wall) }));
    const watchMs = Math.max(WATCH_MS, 3 * (deps.bookMs ?? 0) + deps.config().check_ms);
    for (const { k, w } of windows) if (now - w.touched > watchMs) watched.delete(k);
    if (!windows.length) return;
    const spent = await spentIn(store, windows.map(({ w, start }) => ({ scope: w.scope.scope, id: w.scope.id, period: w.scope.period, periodStart: start })));
    const defaults = deps.config().budget_thresholds;
    for (const { w, start } of windows) {
      const s = w.scope;
      if (s.limitMicros <= 0) continue;
      const micros = spent.get(`${s.scope}:${s.id}:${s.period}:${start}`) ?? 0;
      // Holds are worst cases, so spend stops short of the limit: a refusal is the budget used up.
      const used = Math.max((micros * 100) / s.limitMicros, w.exhaustedIn === start ? 100 : 0);
      const subject = `${s.scope}:${s.id}:${s.period}`;
      for (const t of s.alerts ?? defaults) {
        const once = `${subject}\u0000${start}\u0000${t}`;
        if (used < t || done.has(once)) continue;
        const summary = `The ${PERIOD_WORD[s.period]} budget of ${s.scope} '${s.id}' is at ${Math.floor(used)}% ($${usd(micros)} of $${usd(s.limitMicros)}), past its ${t}% threshold${w.exhaustedIn === start ? ', and refused a request for want of room' : ''}; it resets at ${new Date(periodEnd(s.period, wall)).toISOString()}.`;
        await fire(
          {
            kind: 'budget_threshold',
            subject,
            windowStart: start,
            threshold: t,
            detail: { scope: s.scope, scope_id: s.id, period: s.period, period_start: new Date(start).toISOString(), resets_at: new Date(periodEnd(s.period, wall)).toISOString(), threshold_pct: t, used_pct: Math.floor(used * 10) / 10, spent_micros: micros, limit_micros: s.limitMicros, spent_usd: usd(micros), limit_usd: usd(s.limitMicros) },
          },
          summary,
        );
        done.set(once, periodEnd(s.period, wall));
      }
    }
    for (const [k, end] of done) if (end <= wall) done.delete(k);
  }

  async function checkLedger(): Promise<void> {
    const h = deps.ledger?.();
    if (!h) return;
    const { backlog_rows, journal_bytes } = deps.config().ledger;
    const bad = h.status === 'failing_closed' || h.backlog >= backlog_rows || h.journal_bytes >= journal_bytes;
    if (bad && !ledgerWasBad) {
      const repeat = deps.config().repeat_ms;
      const summary = `The usage ledger on instance ${deps.instance} is ${h.status === 'ok' ? 'backing up' : h.status.replace('_', ' ')}: ${h.backlog} rows waiting, ${h.journal_bytes} bytes journalled${h.database_error ? `; the database says: ${h.database_error}` : ''}.`;
      await fire({ kind: 'ledger_backlog', subject: deps.instance, windowStart: Math.floor(clock.wall() / repeat) * repeat, threshold: 0, detail: { instance: deps.instance, status: h.status, backlog: h.backlog, journal_bytes: h.journal_bytes, database_error: h.database_error ?? null } }, summary, { failOpen: true });
    }
    ledgerWasBad = bad;
  }

  async function check(): Promise<void> {
    if (!active()) {
      watched.clear();
      return;
    }
    // One check at a time; a caller that arrives during one waits for it and runs its own.
    while (checking) await checking;
    checking = (async () => {
      await checkBudgets().catch((e: unknown) => logger.warn('budget alert check failed; retried at the next check', { error: String(e) }));
      await checkLedger().catch((e: unknown) => logger.warn('ledger alert check failed', { error: String(e) }));
    })();
    try {
      await checking;
    } finally {
      checking = undefined;
    }
  }

  // The check timer runs only while webhooks are configured (a gateway without alerts keeps no
  // timer on the clock); a reload that adds them starts it at the next budget touch or breaker.
  let scheduled = false;
  const schedule = () => {
    if (closed || scheduled || !active()) return;
    scheduled = true;
    timer = clock.setTimeout(() => {
      scheduled = false;
      void check().finally(schedule);
    }, deps.config().check_ms);
  };
  schedule();

  return {
    budgetsTouched(scopes, exhausted = false) {
      if (!active()) return;
      schedule();
      const now = clock.now();
      for (const s of scopes) {
        const k = `${s.scope}:${s.id}:${s.period}`;
        const exhaustedIn = exhausted ? periodStart(s.period, clock.wall()) : watched.get(k)?.exhaustedIn;
        watched.set(k, { scope: s, touched: now, exhaustedIn });
      }
    },
    breakerOpened(provider, model, ejections) {
      const cfg = deps.config();
      if (!active() || !cfg.breaker_open) return;
      schedule();
      const window = Math.floor(clock.wall() / cfg.repeat_ms) * cfg.repeat_ms;
      const summary = `The circuit breaker of ${provider}/${model} opened (ejection ${ejections} in a row): requests go to fallbacks, or fail, until it lets a probe through.`;
      void fire({ kind: 'breaker_open', subject: `${provider}/${model}`, windowStart: window, threshold: 0, detail: { provider, model, ejections, instance: deps.instance } }, summary).catch((e: unknown) =>
        logger.warn('breaker alert not recorded; not sent', { provider, model, error: String(e) }),
      );
    },
    check,
    deliveries,
    async close() {
      closed = true;
      timer?.cancel();
      await check();
      // Alerts queued by now get their first attempt; retries still waiting are given up.
      await deliveries.close();
    },
  };
}
