import { GatewayError } from '../lib/errors.ts';

export interface Limit {
  /** e.g. `key:abc` or `team:ml`, for the message. */
  subject: string;
  /** No rpm and no tpm: the subject is only counted (for the policy's usage counters). */
  rpm?: number;
  tpm?: number;
}

/** What one admission counted, so its settlement can correct the tokens it held. */
export interface RateTicket {
  subjects: string[];
  sec: number;
  tokens: number;
}

interface Window {
  /** Per-second buckets over the last 60 s: [second, requests, tokens]. */
  secs: Int32Array;
  reqs: Int32Array;
  toks: Float64Array;
  /** The last second anything was counted, for eviction. */
  last: number;
}

const SWEEP_EVERY_S = 10;

/**
 * Requests and tokens per minute, per subject, over a sliding 60-second window of 1-second
 * buckets. `admit` counts the request and holds its worst-case tokens (prompt plus the output
 * bound) at once, so parallel requests cannot all pass a tpm limit before any of them is
 * booked; `settle` replaces the hold with what the request really used. Every subject is
 * counted, limited or not, so the policy sees true per-minute counters; windows idle for a
 * minute are evicted. Limits are per gateway process.
 */
export function rateLimiter(clock: () => number = Date.now) {
  const windows = new Map<string, Window>();
  let swept = 0;

  const windowOf = (subject: string): Window => {
    let w = windows.get(subject);
    if (!w) {
      w = { secs: new Int32Array(60).fill(-1), reqs: new Int32Array(60), toks: new Float64Array(60), last: 0 };
      windows.set(subject, w);
    }
    return w;
  };

  const totals = (w: Window, nowSec: number) => {
    let reqs = 0;
    let toks = 0;
    let oldest = nowSec;
    for (let i = 0; i < 60; i++) {
      const s = w.secs[i]!;
      if (s > nowSec - 60 && s <= nowSec) {
        reqs += w.reqs[i]!;
        toks += w.toks[i]!;
        if ((w.reqs[i]! || w.toks[i]!) && s < oldest) oldest = s;
      }
    }
    return { reqs, toks, oldest };
  };

  const bump = (w: Window, nowSec: number, reqs: number, toks: number) => {
    const i = nowSec % 60;
    if (w.secs[i] !== nowSec) {
      w.secs[i] = nowSec;
      w.reqs[i] = 0;
      w.toks[i] = 0;
    }
    w.reqs[i]! += reqs;
    w.toks[i]! += toks;
    w.last = Math.max(w.last, nowSec);
  };

  const sweep = (nowSec: number) => {
    if (nowSec - swept < SWEEP_EVERY_S) return;
    swept = nowSec;
    for (const [k, w] of windows) if (w.last <= nowSec - 60) windows.delete(k);
  };

  return {
    /** Requests and tokens in the current window, for the policy input. */
    peek(subject: string): { requests: number; tokens: number } {
      const w = windows.get(subject);
      if (!w) return { requests: 0, tokens: 0 };
      const t = totals(w, Math.floor(clock() / 1000));
      return { requests: t.reqs, tokens: Math.round(t.toks) };
    },
    /**
     * Admits one request holding `tokens` against every limit, or throws 429 with Retry-After.
     * A window with nothing in it admits one request of any size, so a request larger than the
     * tpm is not refused forever.
     */
    admit(limits: Limit[], tokens: number): RateTicket {
      const nowSec = Math.floor(clock() / 1000);
      sweep(nowSec);
      for (const l of limits) {
        if (!l.rpm && !l.tpm) continue;
        const t = totals(windowOf(l.subject), nowSec);
        const overRpm = l.rpm !== undefined && t.reqs + 1 > l.rpm;
        const overTpm = l.tpm !== undefined && t.toks + tokens > l.tpm && t.toks > 0;
        if (overRpm || overTpm) {
          const retry = Math.max(1, t.oldest + 60 - nowSec);
          const what = overRpm ? `${l.rpm} requests per minute` : `${l.tpm} tokens per minute`;
          throw new GatewayError('rate_limited', `Rate limit of ${what} reached for ${l.subject}. Retry in ${retry} s.`, { code: 'rate_limit_exceeded', headers: { 'retry-after': String(retry) } });
        }
      }
      const subjects = [...new Set(limits.map((l) => l.subject))];
      for (const s of subjects) bump(windowOf(s), nowSec, 1, tokens);
      return { subjects, sec: nowSec, tokens };
    },
    /** Replaces an admission's token hold with the tokens the request really used. */
    settle(ticket: RateTicket, actualTokens: number): void {
      const nowSec = Math.floor(clock() / 1000);
      const delta = actualTokens - ticket.tokens;
      for (const s of ticket.subjects) {
        const w = windows.get(s);
        if (!w) continue;
        const i = ticket.sec % 60;
        // The hold is still in the window: correct it where it was counted.
        if (w.secs[i] === ticket.sec && ticket.sec > nowSec - 60) w.toks[i] = Math.max(0, w.toks[i]! + delta);
        else if (delta > 0) bump(w, nowSec, 0, delta);
      }
    },
    /** Subjects with a window in memory (for tests of eviction). */
    size: () => windows.size,
  };
}

export type RateLimiter = ReturnType<typeof rateLimiter>;
