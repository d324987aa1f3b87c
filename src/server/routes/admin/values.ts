import type { Period } from '../../../store/keys.ts';

/** A value that does not parse; the message says what was expected. */
export class InvalidValue extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidValue';
  }
}

export const PERIODS = ['day', 'week', 'month'] as const satisfies readonly Period[];

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

/**
 * The longest duration and the farthest date accepted. Every stored time stays a small safe
 * integer: one value out of range once made libSQL fail every query touching its row.
 */
export const MAX_SPAN_MS = 10 * 365 * 86_400_000;

/** `30d`, `12h`, `90m`, `45s`, `2w` → milliseconds, at most 10 years. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  if (!m) throw new InvalidValue(`expected a duration like 30d, 12h, 90m, 45s or 2w, got '${text}'`);
  const ms = Number(m[1]) * UNIT_MS[m[2] as Unit];
  if (ms > MAX_SPAN_MS) throw new InvalidValue(`'${text}' is longer than 10 years (3650d)`);
  return ms;
}

/**
 * A point in time: an ISO date (`2026-01-31`, `2026-01-31T12:00:00Z`) or a duration counted
 * from `now` — into the future for expiries (`ahead`), into the past for report windows (`ago`).
 */
export function parseInstant(text: string, direction: 'ahead' | 'ago', now: number): number {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const ms = Date.parse(t);
    if (Number.isNaN(ms)) throw new InvalidValue(`'${text}' is not a valid date`);
    if (Math.abs(ms - now) > MAX_SPAN_MS) throw new InvalidValue(`'${text}' is more than 10 years from now`);
    return ms;
  }
  if (!/^\d{1,9}[smhdw]$/.test(t)) throw new InvalidValue(`expected a duration like 30d or 12h, or an ISO date like 2026-01-31, got '${text}'`);
  const ms = parseDuration(t);
  return direction === 'ahead' ? now + ms : now - ms;
}

/** USD as a decimal string or number with at most 6 decimals → exact integer micro-dollars. */
export function usdToMicros(usd: string | number): number {
  const s = typeof usd === 'number' ? String(usd) : usd.trim().replace(/^\$/, '');
  const m = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(s);
  if (!m) throw new InvalidValue(`expected a non-negative USD amount with at most 6 decimals, got '${usd}'`);
  return Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** `50/month`, `$12.50/day`, `100/week` → a budget in micro-dollars per period. */
export function parseBudget(text: string): { micros: number; period: Period } {
  const m = /^\s*([^/\s]+)\s*\/\s*(\w+)\s*$/.exec(text);
  const period = PERIODS.find((p) => p === m?.[2]);
  if (!m || !period) throw new InvalidValue(`expected a budget like 50/month (USD per day, week or month), got '${text}'`);
  return { micros: usdToMicros(m[1]!), period };
}

/** `a,b, c` → ['a', 'b', 'c']. */
export const splitList = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `'80,100'` → `[80, 100]`; a part that is not a number stays NaN, for the schema to refuse by name. */
export const percentList = (s: string): number[] => splitList(s).map((p) => Number(p.replace(/%$/, '')));
