/**
 * Inputs built to make PII scanners backtrack or give up, each of about `size` characters;
 * shared by the linear-time property test and bench/pii-scan.ts.
 */
const fill = (unit: string, size: number) => unit.repeat(Math.max(1, Math.ceil(size / unit.length))).slice(0, size);

export const ADVERSARIAL: Record<string, (size: number) => string> = {
  prose: (n) => fill('The quarterly report is due on 2024-11-05; ask Ann about order 55512 at the desk. ', n),
  'plus1-digit-run': (n) => '+1' + '2'.repeat(n - 2),
  'plus1-40-digit-runs': (n) => fill('+1' + '2'.repeat(40) + ' ', n),
  'plus-nested-separators': (n) => fill('+1 (0)-(12).3-(4) 5.6-7 8 ', n),
  'digit-run': (n) => '4'.repeat(n),
  'spaced-digits': (n) => fill('1 ', n),
  'dashed-digits': (n) => fill('1 '.repeat(12) + '-1'.repeat(400) + 'a,', n),
  'trunk-runs': (n) => fill('0123456789012 ', n),
  'email-like-local': (n) => 'a'.repeat(n - 1) + '@',
  'email-like-domain': (n) => 'ann@' + fill('b.', n - 4),
  'email-like-many-at': (n) => fill('a@b.', n),
  'iban-like': (n) => fill('DE89 3704 0044 0532 0130 0X ', n),
  'ssn-like': (n) => fill('123-45-678 ', n),
};
