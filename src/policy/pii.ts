/**
 * PII detectors for prompts: email, phone, payment card, IBAN and national ids.
 *
 * Every detector is a candidate regex plus a validator (Luhn, mod-97, id ranges, check letters),
 * because a regex alone flags order numbers and timestamps. Where a span is claimed by two
 * detectors the stronger evidence wins (card > IBAN > national id > email > phone).
 *
 * Phone numbers recognised: international (`+` country code, 8–15 digits, E.164 with optional
 * separators and a `(0)` trunk), North American `(415) 555-2671` / `415-555-2671` (separators
 * required), and trunk-prefixed national numbers `020 7946 0958`, `01 23 45 67 89`, `07700900123`
 * (10–11 digits starting 0[1-9]). A bare run of digits without `+`, separators or a leading 0 is
 * never a phone number: it is far more often an id, an amount or a timestamp.
 *
 * National ids recognised: US SSN (`123-45-6789` form; area 000/666/9xx, group 00, serial 0000
 * and the published invalid numbers excluded), UK National Insurance number (excluded prefixes
 * and letters removed), Spanish DNI/NIE (check letter verified), Canadian SIN (`046 454 286`
 * form, Luhn-checked).
 */

import { cardSpans } from './pii-card-spans.ts';
import { phoneIntlSpans } from './pii-phone-intl.ts';

export const PII_TYPES = ['email', 'phone', 'card', 'iban', 'national_id'] as const;
export type PiiType = (typeof PII_TYPES)[number];

export interface PiiMatch {
  type: PiiType;
  /** UTF-16 offsets into the scanned text, `end` exclusive. */
  start: number;
  end: number;
  /** Which format matched, e.g. `us_ssn`, `visa`, `nanp`. */
  format: string;
}

/** Lower number wins an overlap. */
const PRIORITY: Record<PiiType, number> = { card: 0, iban: 1, national_id: 2, email: 3, phone: 4 };

type Detector = (text: string, out: PiiMatch[]) => void;

// Lookbehinds keep candidates from starting in the middle of a word, id or number.
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,126}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;
const PHONE_NANP = /(?<![\w+#@/.-])(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}(?![\w@/:]|[.-]\d)/g;
const PHONE_TRUNK = /(?<![\w+#@/.-])(?:\(0[1-9]\d{0,4}\) ?|0[1-9]\d{0,4})(?:[ .-]?\d{2,4}){1,4}(?![\w@/:]|[.-]\d)/g;
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/g;
const SSN = /(?<![\w-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-])/g;
const NINO = /(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g;
const DNI = /(?<![A-Za-z0-9-])(?:([XYZ])-?(\d{7})|(\d{8}))-?([A-Z])(?![A-Za-z0-9])/g;
const SIN = /(?<![\w-])[1-79]\d{2}([ -])\d{3}\1\d{3}(?![\w-])/g;

const digitsOf = (s: string): string => s.replace(/\D/g, '');

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Card networks by prefix, so a Luhn-valid order number starting 1 or 9 is not a card. */
function cardNetwork(d: string): string | undefined {
  const p2 = Number(d.slice(0, 2));
  const p4 = Number(d.slice(0, 4));
  if (d[0] === '4') return 'visa';
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return 'mastercard';
  if ((p2 === 34 || p2 === 37) && d.length === 15) return 'amex';
  if (p4 === 6011 || p2 === 65 || (p4 >= 6440 && p4 <= 6499)) return 'discover';
  if (p4 >= 3528 && p4 <= 3589) return 'jcb';
  if (p2 === 36 || p2 === 38 || (p4 >= 3000 && p4 <= 3059)) return 'diners';
  if (p2 === 62) return 'unionpay';
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return 'maestro';
  return undefined;
}

const detectEmail: Detector = (text, out) => {
  for (const m of text.matchAll(EMAIL)) out.push({ type: 'email', start: m.index, end: m.index + m[0].length, format: 'email' });
};

const detectPhone: Detector = (text, out) => {
  for (const [start, end] of phoneIntlSpans(text)) {
    const n = digitsOf(text.slice(start, end).replace('(0)', '')).length;
    if (n >= 8 && n <= 15) out.push({ type: 'phone', start, end, format: 'international' });
  }
  for (const m of text.matchAll(PHONE_NANP)) out.push({ type: 'phone', start: m.index, end: m.index + m[0].length, format: 'nanp' });
  for (const m of text.matchAll(PHONE_TRUNK)) {
    const n = digitsOf(m[0]).length;
    // dd.mm.yyyy and dd-mm-yy read as trunk numbers; a date is not a phone number.
    if (n < 10 || n > 11 || /^\d{2}([./-])\d{2}\1\d{2,4}(?!\d)/.test(m[0])) continue;
    out.push({ type: 'phone', start: m.index, end: m.index + m[0].length, format: 'national' });
  }
};

/** A card number found at [start, end) of `text`, or undefined. */
function cardAt(text: string, start: number, end: number): PiiMatch | undefined {
  const d = digitsOf(text.slice(start, end));
  const network = d.length >= 13 && d.length <= 19 ? cardNetwork(d) : undefined;
  return network && luhnValid(d) ? { type: 'card', start, end, format: network } : undefined;
}

const detectCard: Detector = (text, out) => {
  for (const [start, end] of cardSpans(text)) {
    const m = { index: start };
    const run = text.slice(start, end);
    const seps = new Set(run.replace(/\d/g, ''));
    if (seps.size > 1) continue; // "1234 5678-9012 3456" mixes separators: not a printed card number
    const first = run.search(/\D/);
    const last = run.length - 1 - [...run].reverse().findIndex((c) => c < '0' || c > '9');
    // A printed number is often followed by its expiry or CVV, or preceded by a stray digit group.
    const card =
      cardAt(text, m.index, m.index + run.length) ??
      (seps.size === 1 ? (cardAt(text, m.index, m.index + last) ?? cardAt(text, m.index + first + 1, m.index + run.length)) : undefined);
    if (card) out.push(card);
  }
};

// IBAN lengths by country (SWIFT IBAN registry).
const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  ('AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 EE20 EG29 ES24 ' +
    'FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 ' +
    'LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 ' +
    'RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30')
    .split(' ')
    .map((e) => [e.slice(0, 2), Number(e.slice(2))] as const),
);

export function ibanValid(compact: string): boolean {
  if (IBAN_LENGTHS.get(compact.slice(0, 2)) !== compact.length) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const v = ch >= 'A' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    rem = (v > 9 ? rem * 100 + v : rem * 10 + v) % 97;
  }
  return rem === 1;
}

const detectIban: Detector = (text, out) => {
  for (const m of text.matchAll(IBAN)) {
    const want = IBAN_LENGTHS.get(m[0].slice(0, 2));
    if (want === undefined) continue;
    // The candidate may run into the next word ("… 0130 00 AND"): cut it at the country's length.
    let seen = 0;
    let end = 0;
    while (end < m[0].length && seen < want) if (m[0][end++] !== ' ') seen++;
    if (seen !== want || /[A-Za-z0-9]/.test(text[m.index + end] ?? '')) continue;
    if (ibanValid(m[0].slice(0, end).replaceAll(' ', ''))) out.push({ type: 'iban', start: m.index, end: m.index + end, format: 'iban' });
  }
};

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
const INVALID_SSNS = new Set(['078051120', '219099999', '123456789']);
const NINO_EXCLUDED = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

const detectNationalId: Detector = (text, out) => {
  const push = (m: RegExpMatchArray & { index: number }, format: string) =>
    out.push({ type: 'national_id', start: m.index, end: m.index + m[0].length, format });
  for (const m of text.matchAll(SSN)) {
    const [area, group, serial] = [m[1] ?? '', m[3] ?? '', m[4] ?? ''];
    if (area === '000' || area === '666' || area[0] === '9' || group === '00' || serial === '0000') continue;
    if (!INVALID_SSNS.has(area + group + serial)) push(m, 'us_ssn');
  }
  for (const m of text.matchAll(NINO)) if (!NINO_EXCLUDED.has(m[1] ?? '')) push(m, 'uk_nino');
  for (const m of text.matchAll(DNI)) {
    const number = m[3] ?? String('XYZ'.indexOf(m[1] ?? 'X')) + (m[2] ?? '');
    if (DNI_LETTERS[Number(number) % 23] === m[4]) push(m, m[3] ? 'es_dni' : 'es_nie');
  }
  for (const m of text.matchAll(SIN)) if (luhnValid(digitsOf(m[0]))) push(m, 'ca_sin');
};

const DETECTORS: Record<PiiType, Detector> = {
  email: detectEmail,
  phone: detectPhone,
  card: detectCard,
  iban: detectIban,
  national_id: detectNationalId,
};

/** Every PII match in `text`, non-overlapping, in text order. */
export function findPii(text: string): PiiMatch[] {
  // Every detector needs a digit or an '@'; most prose is skipped here.
  if (!/[\d@]/.test(text)) return [];
  const candidates: PiiMatch[] = [];
  // All detectors run even when only some types are wanted: a card number must not be read as a phone.
  for (const t of PII_TYPES) DETECTORS[t](text, candidates);
  if (candidates.length < 2) return candidates;
  candidates.sort((a, b) => PRIORITY[a.type] - PRIORITY[b.type] || a.start - b.start || b.end - a.end);
  // Each detector's matches are disjoint, so marking claimed characters costs at most
  // (detectors × text length): linear, where comparing every pair was quadratic in matches.
  const claimed = new Uint8Array(text.length);
  const kept: PiiMatch[] = [];
  for (const c of candidates) {
    if (claimed.subarray(c.start, c.end).includes(1)) continue;
    claimed.fill(1, c.start, c.end);
    kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Replaces matches of the given types with `[REDACTED:type]`. */
export function redact(text: string, types: readonly PiiType[] = PII_TYPES): string {
  const matches = findPii(text).filter((m) => types.includes(m.type));
  if (matches.length === 0) return text;
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start) + `[REDACTED:${m.type}]`;
    at = m.end;
  }
  return out + text.slice(at);
}

export type PiiCounts = Record<PiiType, number>;

export const emptyPiiCounts = (): PiiCounts => ({ email: 0, phone: 0, card: 0, iban: 0, national_id: 0 });

/** Adds the matches in `text` to `counts` (used to build the policy input's signals). */
export function countPii(text: string, counts: PiiCounts): void {
  for (const m of findPii(text)) counts[m.type]++;
}
