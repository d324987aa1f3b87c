import { describe, expect, test } from 'bun:test';
import { ADVERSARIAL } from './pii-adversarial.ts';
import { cardSpans } from './pii-card-spans.ts';
import { phoneIntlSpans } from './pii-phone-intl.ts';
import { findPii, redact } from './pii.ts';

// The backtracking regexes the scanners replace: the reference on inputs short enough for them.
const PHONE_INTL_REGEX = /(?<![\w+#@/])\+[1-9]\d{0,3}(?:[ .-]?\(0\))?(?:[ .-]?(?:\(\d{1,4}\)|\d{1,6})){1,6}(?![\w@/]|[.-]?\d)/g;
const CARD_REGEX = /(?<![\w.-])\d(?:[ -]?\d){12,}(?![\w]|[.-]\d)/g;
const spansOf = (re: RegExp, text: string): [number, number][] => [...text.matchAll(re)].map((m) => [m.index, m.index + m[0].length]);

/** A seeded generator (mulberry32), so a failure names an input that reproduces. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the scanners find what the regexes they replace found', () => {
  const random = rng(11);
  const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  test('international phones: 20,000 random short inputs', () => {
    for (let i = 0; i < 20_000; i++) {
      const text = pick('+++1234567890000     ..--(()0)a/@#', 4 + Math.floor(random() * 40));
      expect([text, phoneIntlSpans(text)]).toEqual([text, spansOf(PHONE_INTL_REGEX, text)]);
    }
  });
  test('cards: 20,000 random short inputs', () => {
    for (let i = 0; i < 20_000; i++) {
      const text = pick('4111111111111111    ---..a_x', 10 + Math.floor(random() * 50));
      expect([text, cardSpans(text)]).toEqual([text, spansOf(CARD_REGEX, text)]);
    }
  });
});

describe('a scan is linear and covers the whole text', () => {
  const MB = 1_048_576;
  // The regex scan took 39 s per MB of "+1" and 40-digit runs; linear scanners take ~0.1 s.
  // The bound leaves room for a loaded CI machine while catching any backtracking.
  test.each(Object.keys(ADVERSARIAL))('%s: 1 MB scans in under 1.5 s', (name) => {
    const text = ADVERSARIAL[name]!(MB);
    const t = performance.now();
    findPii(text);
    expect(performance.now() - t).toBeLessThan(1500);
  });

  const tail = ' — call +44 20 7946 0958, mail ann@example.com, card 4111 1111 1111 1111, SSN 536-22-1234.';
  test.each(Object.keys(ADVERSARIAL))('%s: PII after a 300 KB prefix is still redacted', (name) => {
    const out = redact(ADVERSARIAL[name]!(300_000) + '\n' + tail).slice(-200);
    for (const raw of ['7946 0958', 'ann@example.com', '4111 1111 1111 1111', '536-22-1234']) expect(out).not.toContain(raw);
    for (const type of ['phone', 'email', 'card', 'national_id']) expect(out).toContain(`[REDACTED:${type}]`);
  });

  test('"+1" and 200,000 digits, then a phone number', () => {
    const text = '+1' + '7'.repeat(200_000) + ' or +1 415 555 2671';
    const t = performance.now();
    expect(findPii(text)).toEqual([{ type: 'phone', start: 200_006, end: 200_021, format: 'international' }]);
    expect(performance.now() - t).toBeLessThan(500);
  });
});
