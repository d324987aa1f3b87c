import type { InStatement } from '@libsql/client';
import { GatewayError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Store } from './client.ts';

/** A subject's limits (the shape enforce/ passes; no rpm and no tpm: nothing to hold). */
export interface Limit {
  subject: string;
  rpm?: number;
  tpm?: number;
}

/** One request's room in its subjects' windows; `settle` puts in the tokens really used. */
export interface RateHold {
  settle(actualTokens: number): void;
}

export interface RateGate {
  /** Admits one request holding `tokens` against every rpm and tpm, or throws 429 (503 when the database cannot be asked). */
  hold(limits: Limit[], tokens: number): Promise<RateHold>;
  /** Gives idle room back and books tokens used past the holds. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Lease {
  subject: string;
  rpm?: number;
  tpm?: number;
  /** The window (start, in the database's clock) and when it ends by this process's clock. */
  windowStart: number;
  validUntil: number;
  /** Room the database granted this process in the window, and how much of it is used. */
  reqs: number;
  toks: number;
  usedReqs: number;
  usedToks: number;
  inFlight: number;
  grows: number;
  lastUsed: number;
  releasing: boolean;
}

const WINDOW_MS = 60_000;
const DB_NOW = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";
const DB_WINDOW = `${DB_NOW} / ${WINDOW_MS} * ${WINDOW_MS}`;
/** Grants room in the current window only if the subject's total stays within its limits (an empty window grants one request of any size). */
const GRANT = `INSERT INTO rate_windows (subject, window_start, requests, tokens) SELECT ?, ${DB_WINDOW}, ?, ? WHERE true
  ON CONFLICT (subject, window_start) DO UPDATE SET requests = requests + excluded.requests, tokens = tokens + excluded.tokens
  WHERE (? = 0 OR requests + excluded.requests <= ?) AND (? = 0 OR tokens + excluded.tokens <= ? OR tokens = 0)
  RETURNING window_start, ${DB_NOW} AS now`;
const USED = `SELECT ${DB_NOW} AS now, (SELECT requests FROM rate_windows WHERE subject = ? AND window_start = ${DB_WINDOW}) AS requests`;

/**
 * Rate limits shared by every instance on one database, without a database write per request.
 * Limits count fixed one-minute windows of the database server's clock. Each process leases a
 * slice of a subject's window (requests and tokens) with one conditional upsert that succeeds
 * only while the sum granted to all processes stays within the rpm and tpm, admits requests
 * against its slice in memory, and gives unused room back when it goes idle. Admitted requests
 * can therefore never pass a limit within a window, whatever the number of instances; slices
 * start at one request and double while they are used up, so a busy process asks rarely.
 */
export function rateGate(store: Store, logger: Logger, { flushMs = 200, idleMs = 1000, clock = () => performance.now() } = {}): RateGate {
  const leases = new Map<string, Lease>();
  const growing = new Map<string, Promise<unknown>>();
  const timer = setInterval(() => void flush().catch((e) => logger.warn('rate-limit flush failed; it is retried', { error: String(e) })), flushMs);
  timer.unref?.();
  let flushing: Promise<void> | undefined;
  let pruned = clock();

  const live = (l: Lease | undefined, now: number) => l && !l.releasing && now < l.validUntil;
  const fits = (l: Lease, tokens: number) => (!l.rpm || l.usedReqs + 1 <= l.reqs) && (!l.tpm || l.usedToks + tokens <= l.toks);
  /** Takes room in the same synchronous step that finds it, so two requests cannot take it twice. */
  const claim = (subject: string, tokens: number): Lease | undefined => {
    const now = clock();
    const l = leases.get(subject);
    if (!live(l, now) || !fits(l!, tokens)) return undefined;
    l!.usedReqs += 1;
    l!.usedToks += tokens;
    l!.inFlight += 1;
    l!.lastUsed = now;
    return l;
  };

  async function grow(limit: Limit, tokens: number): Promise<void> {
    const cur = leases.get(limit.subject);
    const grows = live(cur, clock()) ? cur!.grows : 0;
    const factor = 2 ** Math.min(grows, 14);
    const needR = limit.rpm ? 1 : 0;
    const needT = limit.tpm ? tokens : 0;
    const chunkR = limit.rpm ? Math.max(1, Math.min(Math.floor(limit.rpm / 10), factor)) : 0;
    const chunkT = limit.tpm ? Math.max(needT, Math.min(Math.floor(limit.tpm / 10), needT * factor)) : 0;
    const tries = chunkR > needR || chunkT > needT ? [[chunkR, chunkT], [needR, needT]] : [[needR, needT]];
    let used: { now: number; requests: number } = { now: 0, requests: 0 };
    for (const [r, t] of tries) {
      const sent = clock();
      let res;
      try {
        res = await store.client.batch([{ sql: GRANT, args: [limit.subject, r!, t!, limit.rpm ?? 0, limit.rpm ?? 0, limit.tpm ?? 0, limit.tpm ?? 0] }, { sql: USED, args: [limit.subject] }], 'write');
      } catch (e) {
        logger.error('rate limits cannot be checked: the database is unreachable; refusing', { error: String(e) });
        throw new GatewayError('unavailable', 'Rate limits cannot be checked right now (the database is unreachable); retry shortly.', { headers: { 'retry-after': '1' } });
      }
      const row = res[0]!.rows[0];
      used = { now: Number(res[1]!.rows[0]!.now), requests: Number(res[1]!.rows[0]!.requests ?? 0) };
      if (!row) continue;
      const windowStart = Number(row.window_start);
      const validUntil = sent + windowStart + WINDOW_MS - Number(row.now);
      const l = leases.get(limit.subject);
      if (l && !l.releasing && l.windowStart === windowStart) {
        l.reqs += r!;
        l.toks += t!;
        l.grows += 1;
      } else {
        leases.set(limit.subject, { subject: limit.subject, rpm: limit.rpm, tpm: limit.tpm, windowStart, validUntil, reqs: r!, toks: t!, usedReqs: 0, usedToks: 0, inFlight: 0, grows: 1, lastUsed: clock(), releasing: false });
      }
      return;
    }
    const retry = Math.max(1, Math.ceil((WINDOW_MS - (used.now % WINDOW_MS)) / 1000));
    const overRpm = !!limit.rpm && used.requests + 1 > limit.rpm;
    const what = overRpm || !limit.tpm ? `${limit.rpm} requests per minute` : `${limit.tpm} tokens per minute`;
    throw new GatewayError('rate_limited', `Rate limit of ${what} reached for ${limit.subject}. Retry in ${retry} s.`, { code: 'rate_limit_exceeded', headers: { 'retry-after': String(retry) } });
  }

  async function take(limit: Limit, tokens: number): Promise<Lease> {
    for (;;) {
      const l = claim(limit.subject, tokens);
      if (l) return l;
      const pending = growing.get(limit.subject);
      if (pending) {
        await pending.catch(() => undefined);
        continue;
      }
      const p = grow(limit, tokens);
      growing.set(limit.subject, p);
      try {
        await p;
      } finally {
        growing.delete(limit.subject);
      }
      const got = claim(limit.subject, tokens);
      if (got) return got;
    }
  }

  /** Idle leases give their unused room back; tokens used past what was granted are booked. */
  function flush(release = false): Promise<void> {
    return (flushing ??= flushOnce(release).finally(() => (flushing = undefined)));
  }

  async function flushOnce(release: boolean): Promise<void> {
    const now = clock();
    const stmts: InStatement[] = [];
    const done: { l: Lease; back: boolean; dT: number }[] = [];
    for (const l of leases.values()) {
      // A window that has ended needs nothing given back: its room is gone with it.
      if (now >= l.validUntil) {
        if (l.inFlight === 0) leases.delete(l.subject);
        continue;
      }
      const back = l.inFlight === 0 && (release || now - l.lastUsed > idleMs);
      const dR = back ? l.reqs - l.usedReqs : 0;
      const dT = back || l.usedToks > l.toks ? l.toks - l.usedToks : 0;
      if (!dR && !dT && !back) continue;
      if (back) l.releasing = true;
      if (dR || dT) stmts.push({ sql: 'UPDATE rate_windows SET requests = requests - ?, tokens = max(tokens - ?, 0) WHERE subject = ? AND window_start = ?', args: [dR, dT, l.subject, l.windowStart] });
      done.push({ l, back, dT });
    }
    // Windows two minutes past are nobody's any more.
    if (now - pruned > WINDOW_MS) {
      pruned = now;
      stmts.push({ sql: `DELETE FROM rate_windows WHERE window_start < ${DB_WINDOW} - ${2 * WINDOW_MS}`, args: [] });
    }
    try {
      if (stmts.length) await store.client.batch(stmts, 'write');
    } catch (e) {
      for (const d of done) d.l.releasing = false;
      throw e;
    }
    for (const { l, back, dT } of done) {
      l.toks -= dT;
      if (back && leases.get(l.subject) === l) leases.delete(l.subject);
    }
  }

  return {
    async hold(limits, tokens) {
      const held: Lease[] = [];
      try {
        for (const limit of limits) if (limit.rpm || limit.tpm) held.push(await take(limit, tokens));
      } catch (e) {
        for (const l of held) {
          l.usedReqs -= 1;
          l.usedToks -= tokens;
          l.inFlight -= 1;
        }
        throw e;
      }
      let settled = false;
      return {
        settle(actual) {
          if (settled) return;
          settled = true;
          for (const l of held) {
            l.inFlight -= 1;
            l.usedToks += actual - tokens;
            l.lastUsed = clock();
          }
        },
      };
    },
    flush: () => flush(),
    async close() {
      clearInterval(timer);
      await flushing?.catch(() => undefined);
      await flush(true);
    },
  };
}
