import type { InStatement } from '@libsql/client';
import type { Logger } from '../lib/logger.ts';
import type { Store } from './client.ts';
import { budgetError, reserve, type BudgetScope } from './budgets.ts';
import { periodStart } from './periods.ts';

/** Worst-case room held for one request; `settle` books what it really cost. */
export interface BudgetHold {
  settle(actualMicros: number): void;
}

export interface BudgetGate {
  /** Holds `worstMicros` on every scope, or throws 429 naming the budget. */
  hold(scopes: BudgetScope[], worstMicros: number): Promise<BudgetHold | undefined>;
  /** Books settled spend in the database now. */
  flush(): Promise<void>;
  /** Books everything and gives unused room back. */
  close(): Promise<void>;
  /**
   * The leases were released by another instance that took this one for dead: they admit
   * nothing more; spend already settled on them is still booked, no room is given back twice.
   */
  disown(): void;
}

interface Lease {
  id: string;
  scope: BudgetScope & { periodStart: number };
  /** Room this lease still holds in the database (spend.reserved_micros). */
  amount: number;
  inFlight: number;
  /** Settled spend not yet booked. */
  pending: number;
  pendingRequests: number;
  lastUsed: number;
  /** Being given back by a flush: admits nothing more. */
  releasing: boolean;
  /** Released by another instance that took this one for dead. */
  disowned: boolean;
}

/**
 * Budgets without a database write per request. Each process leases room from a budget (a
 * reservation in the database, made with the same all-or-nothing UPDATE as a single request)
 * and admits requests against its leases in memory; settled spend is booked in batches and
 * unused room is given back when a lease goes idle. Spend can never pass a limit, across any
 * number of replicas, because every admitted worst case sits inside room the database granted.
 * A lease is a small slice of the budget, shrinking to single requests near the limit.
 */
export function budgetGate(
  store: Store,
  logger: Logger,
  { flushMs = 200, idleMs = 2000, clock = Date.now, owner = null as string | null, fresh = (): boolean => true } = {},
): BudgetGate {
  const leases = new Map<string, Lease[]>();
  // One lease request per budget at a time: concurrent requests wait for it instead of each
  // leasing a slice (which would fragment a small budget into idle slices).
  const growing = new Map<string, Promise<unknown>>();
  // Requests waiting near the limit for this process's in-flight requests to settle.
  const waiters = new Map<string, (() => void)[]>();
  const wake = (k: string) => {
    const w = waiters.get(k);
    waiters.delete(k);
    for (const f of w ?? []) f();
  };
  const inFlightOn = (k: string) => (leases.get(k) ?? []).some((l) => l.inFlight > 0);
  const timer = setInterval(() => void flush().catch((e) => logger.error('budget flush failed; it is retried', { error: String(e) })), flushMs);
  timer.unref?.();
  // Flushes run one at a time, each on the state the previous one left.
  let flushChain: Promise<unknown> = Promise.resolve();

  const keyOf = (s: BudgetScope, start: number) => `${s.scope}\u0000${s.id}\u0000${s.period}\u0000${start}`;
  const available = (l: Lease) => (l.releasing ? 0 : l.amount - l.inFlight - l.pending);
  /**
   * Takes `worst` of a lease's room for one request, in the same synchronous step that finds
   * it: a lease found in one step and taken after an await could be taken by another request
   * in between, and two requests would then sit in room the database granted once.
   */
  const claim = (k: string, worst: number): Lease | undefined => {
    // Without a recent heartbeat a peer may release these leases at any moment: admit nothing on them.
    if (!fresh()) return undefined;
    const l = (leases.get(k) ?? []).find((x) => available(x) >= worst);
    if (l) {
      l.inFlight += worst;
      l.lastUsed = clock();
    }
    return l;
  };

  /**
   * Near the limit the room may sit in this process's own leases: give idle room back and wait
   * for in-flight requests here to settle (at most `waitMs`) before refusing with 429.
   */
  async function growNearLimit(s: BudgetScope, start: number, worst: number, waitMs = 5000): Promise<Lease> {
    const k = keyOf(s, start);
    const deadline = clock() + waitMs;
    for (;;) {
      try {
        return await grow(s, start, worst);
      } catch (e) {
        const local = claim(k, worst);
        if (local) return local;
        if (!inFlightOn(k) && !(leases.get(k) ?? []).some((l) => l.amount > 0)) throw e;
        if (clock() > deadline) throw e;
        if (inFlightOn(k)) await new Promise<void>((r) => {
          waiters.set(k, [...(waiters.get(k) ?? []), r]);
          setTimeout(r, Math.max(1, deadline - clock()));
        });
        await flush(true);
        const freed = claim(k, worst);
        if (freed) return freed;
      }
    }
  }

  async function grow(s: BudgetScope, start: number, worst: number): Promise<Lease> {
    // Unfenced only: a stale instance leases no more than the request it admits.
    const chunk = fresh() ? Math.max(worst, Math.min(Math.floor(s.limitMicros / 20), worst * 50)) : worst;
    for (const amount of chunk > worst ? [chunk, worst] : [worst]) {
      const id = 'lease_' + crypto.randomUUID();
      try {
        await reserve(store, id, [s], amount, clock(), owner);
        const lease: Lease = { id, scope: { ...s, periodStart: start }, amount, inFlight: worst, pending: 0, pendingRequests: 0, lastUsed: clock(), releasing: false, disowned: false };
        const k = keyOf(s, start);
        leases.set(k, [...(leases.get(k) ?? []), lease]);
        return lease;
      } catch (e) {
        if (amount === worst) throw e;
      }
    }
    throw await budgetError(store, [{ ...s, periodStart: start }], worst, clock());
  }

  /**
   * Books settled spend and gives idle room back. Nothing in memory changes until the database
   * batch has committed: a failed write leaves every lease as it was (its spend still pending,
   * its room still held), so the next flush retries the same work.
   */
  function flush(release = false): Promise<void> {
    const run = flushChain.then(() => flushOnce(release));
    flushChain = run.catch(() => undefined);
    return run;
  }

  async function flushOnce(release: boolean): Promise<void> {
    const now = clock();
    const stmts: InStatement[] = [];
    const applied: { l: Lease; booked: number; requests: number; freed: boolean }[] = [];
    for (const list of leases.values()) {
      for (const l of list) {
        const s = l.scope;
        const where = [s.scope, s.id, s.period, s.periodStart];
        const booked = l.pending;
        const requests = l.pendingRequests;
        // A lease another instance released (taking this one for dead) holds no room any more:
        // its spend is still booked, but no room is given back twice.
        const open = 'EXISTS (SELECT 1 FROM reservations WHERE request_id = ? AND settled_at IS NULL)';
        if (booked > 0 || requests > 0) {
          stmts.push({ sql: `UPDATE spend SET spent_micros = spent_micros + ?, requests = requests + ?, reserved_micros = reserved_micros - CASE WHEN ${open} THEN ? ELSE 0 END WHERE scope = ? AND scope_id = ? AND period = ? AND period_start = ?`, args: [booked, requests, l.id, booked, ...where] });
          stmts.push({ sql: 'UPDATE reservations SET reserved_micros = max(reserved_micros - ?, 0), actual_micros = coalesce(actual_micros, 0) + ? WHERE request_id = ?', args: [booked, booked, l.id] });
        }
        const rest = l.amount - booked;
        const freed = l.inFlight === 0 && (release || now - l.lastUsed > idleMs || rest <= 0 || l.disowned);
        if (freed) {
          // No request may be admitted against room that is on its way back to the database.
          l.releasing = true;
          stmts.push({ sql: `UPDATE spend SET reserved_micros = reserved_micros - ? WHERE scope = ? AND scope_id = ? AND period = ? AND period_start = ? AND ${open}`, args: [rest, ...where, l.id] });
          stmts.push({ sql: 'UPDATE reservations SET reserved_micros = 0, settled_at = ? WHERE request_id = ? AND settled_at IS NULL', args: [now, l.id] });
        }
        if (booked > 0 || requests > 0 || freed) applied.push({ l, booked, requests, freed });
      }
    }
    if (!stmts.length) return;
    try {
      await store.client.batch(stmts, 'write');
    } catch (e) {
      for (const a of applied) a.l.releasing = a.l.disowned;
      throw e;
    }
    for (const a of applied) {
      a.l.pending -= a.booked;
      a.l.pendingRequests -= a.requests;
      a.l.amount -= a.booked;
      if (a.freed) a.l.amount = 0;
    }
    for (const [k, list] of leases) {
      const kept = list.filter((l) => l.amount > 0 || l.inFlight > 0 || l.pending > 0);
      if (kept.length) leases.set(k, kept);
      else leases.delete(k);
    }
  }

  return {
    async hold(scopes, worst) {
      if (!scopes.length) return undefined;
      const now = clock();
      const held: Lease[] = [];
      try {
        for (const s of scopes) {
          const start = periodStart(s.period, now);
          const k = keyOf(s, start);
          let lease: Lease | undefined;
          for (;;) {
            lease = claim(k, worst);
            if (lease) break;
            const pending = growing.get(k);
            if (pending) {
              await pending.catch(() => undefined);
              continue;
            }
            const p = growNearLimit(s, start, worst);
            growing.set(k, p);
            try {
              lease = await p;
            } finally {
              growing.delete(k);
            }
            break;
          }
          held.push(lease);
        }
      } catch (e) {
        for (const l of held) l.inFlight -= worst;
        throw e;
      }
      let settled = false;
      return {
        settle(actual) {
          if (settled) return;
          settled = true;
          for (const l of held) {
            l.inFlight -= worst;
            l.pending += actual;
            l.pendingRequests += 1;
            l.lastUsed = clock();
            wake(keyOf(l.scope, l.scope.periodStart));
          }
        },
      };
    },
    flush: () => flush(),
    disown() {
      for (const list of leases.values()) {
        for (const l of list) {
          l.disowned = true;
          l.releasing = true;
        }
      }
    },
    async close() {
      clearInterval(timer);
      // A failed write is retried a few times before giving up to the start-up sweep.
      for (let i = 0; ; i++) {
        try {
          return await flush(true);
        } catch (e) {
          if (i >= 4) throw e;
          await new Promise((r) => setTimeout(r, 50 * 2 ** i));
        }
      }
    },
  };
}
