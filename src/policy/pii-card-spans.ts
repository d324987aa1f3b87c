/**
 * Card number candidates without a backtracking regex. The regex this replaces,
 *   (?<![\w.-])\d(?:[ -]?\d){12,}(?![\w]|[.-]\d)
 * spent 200 ms per MB walking its repeated group over long digit runs. A run (digits joined by
 * single spaces or hyphens) is measured once; each start in it is then answered in constant time
 * with the regex's own result: the run's end when the lookahead accepts it, else the last space
 * in the run (a space always passes the lookahead), in both cases with at least 13 digits.
 */

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWord = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const SPACE = 32;
const DASH = 45;
const DOT = 46;
const MIN_DIGITS = 13;

/** Every card candidate in `text` as [start, end) spans, in order, non-overlapping. */
export function cardSpans(text: string): [number, number][] {
  const out: [number, number][] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    // The run from i: digits, each joined to the next by nothing or by one space or hyphen.
    const runStart = i;
    let end = i + 1;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (isDigit(c)) end++;
      else if ((c === SPACE || c === DASH) && isDigit(text.charCodeAt(end + 1))) end += 2;
      else break;
    }
    const after = text.charCodeAt(end);
    const endOk = !isWord(after) && !((after === DOT || after === DASH) && isDigit(text.charCodeAt(end + 1)));
    // Digits before each position of the run, and the spaces inside it, for constant-time starts.
    const digitsBefore = new Uint32Array(end - runStart + 1);
    const spaces: number[] = [];
    for (let p = runStart; p < end; p++) {
      const c = text.charCodeAt(p);
      digitsBefore[p - runStart + 1] = digitsBefore[p - runStart]! + (isDigit(c) ? 1 : 0);
      if (c === SPACE) spaces.push(p);
    }
    const digits = (from: number, to: number) => digitsBefore[to - runStart]! - digitsBefore[from - runStart]!;
    const lastSpace = spaces.at(-1) ?? -1;
    let s = runStart;
    while (s < end) {
      const prev = s === 0 ? NaN : text.charCodeAt(s - 1);
      const startOk = isDigit(text.charCodeAt(s)) && !isWord(prev) && prev !== DOT && prev !== DASH;
      let m = -1;
      if (startOk) {
        if (endOk && digits(s, end) >= MIN_DIGITS) m = end;
        else if (lastSpace > s && digits(s, lastSpace) >= MIN_DIGITS) m = lastSpace;
      }
      if (m > 0) {
        out.push([s, m]);
        s = m;
      } else s++;
    }
    i = end;
  }
  return out;
}
