/**
 * The international phone scanner, written as a bounded state machine instead of the regex
 *   (?<![\w+#@/])\+[1-9]\d{0,3}(?:[ .-]?\(0\))?(?:[ .-]?(?:\(\d{1,4}\)|\d{1,6})){1,6}(?![\w@/]|[.-]?\d)
 * whose nested digit groups backtrack through every split of a long digit run (86 KB of
 * "+1" and digits held the event loop for 3 s). Here every `+` is a candidate start; the
 * states reachable from it are (position, groups read), at most MAX_SPAN × 7 of them (a bit mask per position), so a
 * start costs a constant and a scan is linear in the text. The match ends at the furthest
 * group end the regex's lookahead accepts, as the greedy regex does.
 */

const MAX_GROUPS = 6;
/** '+', 4 country digits, " (0)", then 6 groups of a separator and up to 6 digits. */
const MAX_SPAN = 1 + 4 + 4 + MAX_GROUPS * 7;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWord = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSep = (c: number) => c === 32 || c === 46 || c === 45; // ' ' '.' '-'
const PLUS = 43;
const OPEN = 40;
const CLOSE = 41;

/**
 * Reused by every start (a scan is synchronous): for each position of one candidate, a bit mask
 * of the group counts a parse can have read when it ends there (bit g: g groups).
 */
const scratch = new Uint8Array(MAX_SPAN + 2);
/** Group counts 0..5, which may read one more group. */
const EXTENDABLE = (1 << MAX_GROUPS) - 1;

/** The regex's lookbehind: a `+` inside a word, after another `+`, `#`, `@` or `/` is no start. */
function canStart(text: string, i: number): boolean {
  if (i === 0) return true;
  const p = text.charCodeAt(i - 1);
  return !(isWord(p) || p === PLUS || p === 35 || p === 64 || p === 47);
}

/** The regex's lookahead at a match end. */
function canEnd(text: string, e: number): boolean {
  const c = text.charCodeAt(e); // NaN past the end: every test below is false
  if (isWord(c) || c === 64 || c === 47) return false;
  return !(isSep(c) && c !== 32 && isDigit(text.charCodeAt(e + 1)));
}

/** The end of the longest match starting at `start` (a `+`), or -1. */
function matchAt(text: string, start: number): number {
  const limit = Math.min(text.length, start + MAX_SPAN + 1);
  const at = (p: number) => (p < limit ? text.charCodeAt(p) : NaN);
  const reached = scratch.fill(0, 0, limit - start + 1);
  let furthest = start;
  const mark = (p: number, mask: number) => {
    reached[p - start]! |= mask;
    if (p > furthest) furthest = p;
  };
  const c1 = at(start + 1);
  if (!(isDigit(c1) && c1 !== 48)) return -1;
  for (let k = 1; k <= 4 && isDigit(at(start + k)); k++) {
    const cc = start + 1 + k;
    mark(cc, 1);
    // An optional trunk "(0)", with an optional separator before it.
    const t = isSep(at(cc)) ? cc + 1 : cc;
    for (let q = cc; q <= t; q++) if (at(q) === OPEN && at(q + 1) === 48 && at(q + 2) === CLOSE) mark(q + 3, 1);
  }
  // Positions only grow along a parse, so one pass in position order visits every state.
  for (let p = start + 2; p < limit && p <= furthest; p++) {
    const from = reached[p - start]! & EXTENDABLE;
    if (!from) continue;
    const next = from << 1;
    for (let q = p, last = isSep(at(p)) ? p + 1 : p; q <= last; q++) {
      if (at(q) === OPEN) {
        for (let k = 1; k <= 4 && isDigit(at(q + k)); k++) if (at(q + k + 1) === CLOSE && q + k + 2 <= limit) mark(q + k + 2, next);
        continue;
      }
      for (let k = 1; k <= 6 && isDigit(at(q + k - 1)); k++) if (q + k <= limit) mark(q + k, next);
    }
  }
  // The furthest end with at least one group read that the lookahead accepts.
  for (let p = furthest; p > start; p--) if (reached[p - start]! > 1 && canEnd(text, p)) return p;
  return -1;
}

/** Every international phone candidate in `text` as [start, end) spans, in order, non-overlapping. */
export function phoneIntlSpans(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (let i = text.indexOf('+'); i >= 0; ) {
    const end = canStart(text, i) ? matchAt(text, i) : -1;
    if (end > 0) out.push([i, end]);
    i = text.indexOf('+', end > 0 ? end : i + 1);
  }
  return out;
}
