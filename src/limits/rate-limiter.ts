import { GatewayError } from '../lib/errors.ts';

export interface Limit {
  /** e.g. `key:abc` or `team:ml`, for the message. */
  subject: string;
  rpm?: number;
  tpm?: number;
}

interface Window {
  /** Per-second buckets over the last 60 s: [second, requests, tokens]. */
  secs: Int32Array;
  reqs: Int32Array;
  toks: Float64Array;
}

/**
 * Requests and tokens per minute, per subject, over a sliding 60-second window of 1-second
 * buckets. `admit` counts the request and its estimated tokens up front; `addTokens` books
 * output tokens as they are known. Limits are per gateway process.
 */
export function rateLimiter(clock: () => number = Date.now) {
  const windows = new Map<string, Window>();

  const windowOf = (subject: string): Window => {
    let w = windows.get(subject);
    if (!w) {
      w = { secs: new Int32Array(60).fill(-1), reqs: new Int32Array(60), toks: new Float64Array(60) };
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
  };

  return {
    /** Requests and tokens in the current window, for the policy input. */
    peek(subject: string): { requests: number; tokens: number } {
      const w = windows.get(subject);
      if (!w) return { requests: 0, tokens: 0 };
      const t = totals(w, Math.floor(clock() / 1000));
      return { requests: t.reqs, tokens: Math.round(t.toks) };
    },
    /** Admits one request against every limit, or throws 429 with Retry-After. */
    admit(limits: Limit[], estimatedTokens: number): void {
      const nowSec = Math.floor(clock() / 1000);
      for (const l of limits) {
        if (!l.rpm && !l.tpm) continue;
        const t = totals(windowOf(l.subject), nowSec);
        const overRpm = l.rpm !== undefined && t.reqs + 1 > l.rpm;
        const overTpm = l.tpm !== undefined && t.toks + estimatedTokens > l.tpm && t.toks > 0;
        if (overRpm || overTpm) {
          const retry = Math.max(1, t.oldest + 60 - nowSec);
          const what = overRpm ? `${l.rpm} requests per minute` : `${l.tpm} tokens per minute`;
          throw new GatewayError('rate_limited', `Rate limit of ${what} reached for ${l.subject}. Retry in ${retry} s.`, { code: 'rate_limit_exceeded', headers: { 'retry-after': String(retry) } });
        }
      }
      for (const l of limits) if (l.rpm || l.tpm) bump(windowOf(l.subject), nowSec, 1, estimatedTokens);
    },
    /** Books tokens learnt after admission (output tokens). */
    addTokens(limits: Limit[], tokens: number): void {
      if (tokens <= 0) return;
      const nowSec = Math.floor(clock() / 1000);
      for (const l of limits) if (l.tpm) bump(windowOf(l.subject), nowSec, 0, tokens);
    },
  };
}

export type RateLimiter = ReturnType<typeof rateLimiter>;
