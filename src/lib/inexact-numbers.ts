/**
 * Numbers in a JSON text that JavaScript's JSON.parse cannot keep exact: integers beyond 2^53
 * whose value changes when read as a double (123456789123456789123 → 123456789123456800000), and
 * decimals with more significant digits than a double holds. OPA keeps every number digit for
 * digit, so a policy evaluated on the parsed document would see another number: callers refuse
 * such a document with the token and its line instead of evaluating it silently rounded.
 */

export interface InexactNumber {
  text: string;
  /** 1-based line of the token. */
  line: number;
  /** What the number becomes once parsed. */
  parsed: string;
}

// A string (skipped, escapes included) or a number token.
const TOKENS = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** The first `limit` inexact numbers of `text` (a JSON document). */
export function inexactNumbers(text: string, limit = 5): InexactNumber[] {
  const out: InexactNumber[] = [];
  for (const m of text.matchAll(TOKENS)) {
    const tok = m[0];
    if (tok.startsWith('"') || tok.replace(/[-.]|e.*$/gi, '').replace(/^0+/, '').length <= 15) continue; // ≤ 15 significant digits: always exact
    const n = Number(tok);
    if (exact(tok, n)) continue;
    out.push({ text: tok, line: lineOf(text, m.index), parsed: JSON.stringify(n) });
    if (out.length >= limit) break;
  }
  return out;
}

function exact(tok: string, n: number): boolean {
  if (!Number.isFinite(n)) return false;
  if (/^-?\d+$/.test(tok)) return BigInt(tok) === BigInt(n);
  // A decimal is kept when the double prints back as the same decimal value.
  return normalise(tok) === normalise(String(n));
}

/** Digits and exponent of a decimal, without leading/trailing zeros: "1.50e2" and "150" agree. */
function normalise(s: string): string {
  const neg = s.startsWith('-');
  const [mant = '', expPart] = s.replace(/^-/, '').toLowerCase().split('e');
  const [int = '', frac = ''] = mant.split('.');
  let digits = (int + frac).replace(/^0+/, '');
  const lead = (int + frac).length - digits.length;
  let exp = Number(expPart ?? 0) + int.length - lead;
  digits = digits.replace(/0+$/, '');
  if (digits === '') return '0';
  return `${neg ? '-' : ''}${digits}e${exp}`;
}

function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
