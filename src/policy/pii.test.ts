import { describe, expect, test } from 'bun:test';
import { countPii, emptyPiiCounts, findPii, ibanValid, luhnValid, redact, type PiiType } from './pii.ts';

/** [type, matched text] for every match, so failures show what was found. */
const found = (text: string): [PiiType, string][] => findPii(text).map((m) => [m.type, text.slice(m.start, m.end)]);

describe('email', () => {
  test.each(['ann@example.com', 'a.b+tag@sub.example.co.uk', 'first_last-1@ex-ample.io', 'UPPER@EXAMPLE.ORG'])('%s', (email) => {
    expect(found(`write to ${email}, please`)).toEqual([['email', email]]);
  });
  test.each(['@handle', 'user@localhost', 'a@b.c', 'not an email: x@y', 'price 10@20 each'])('not: %s', (text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('phone', () => {
  test.each([
    '+1 415 555 2671',
    '+14155552671',
    '+44 20 7946 0958',
    '+33 1 23 45 67 89',
    '+49 (0)30 1234567',
    '+49-30-1234567',
    '+81 3-1234-5678',
    '(415) 555-2671',
    '415-555-2671',
    '415.555.2671',
    '415 555 2671',
    '020 7946 0958',
    '07700 900123',
    '07700900123',
    '01 23 45 67 89',
    '030 1234567',
  ])('%s', (phone) => {
    expect(found(`call ${phone} today`)).toEqual([['phone', phone]]);
  });

  test('two numbers in one sentence stay two matches', () => {
    expect(found('+44 20 7946 0958 or 020 7946 0959, thanks')).toEqual([
      ['phone', '+44 20 7946 0958'],
      ['phone', '020 7946 0959'],
    ]);
  });

  test.each([
    ['plain long numbers', 'order 4155552671 shipped'],
    ['order number with a 1xx area code', 'order 123-456-7890'],
    ['order number after #', 'Order #415-555-2671'],
    ['order reference', 'ORD-2024-000123'],
    ['ISO timestamp', '2024-01-15T10:30:00Z'],
    ['date and time', '2024-01-15 10:30:00'],
    ['European date and time', 'on 12.03.2024 10:30 we met'],
    ['dd-mm-yyyy', 'born 01-02-1990'],
    ['unix timestamp (s)', 'ts=1700000000'],
    ['unix timestamp (ms)', 'ts=1700000000123'],
    ['IPv4 address', 'host 192.168.100.200'],
    ['version', 'v1.2.3 and 10.4.22'],
    ['amount', 'total $1,234,567.89'],
    ['too short with +', 'code +12 345'],
    ['too long with +', '+1 234 567 890 123 456 78'],
    ['short national', 'room 012 34'],
  ])('not: %s', (_why, text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('card', () => {
  test.each([
    ['4111 1111 1111 1111', 'visa'],
    ['4111-1111-1111-1111', 'visa'],
    ['4242424242424242', 'visa'],
    ['5555 5555 5555 4444', 'mastercard'],
    ['2223 0031 2200 3222', 'mastercard'],
    ['3782 822463 10005', 'amex'],
    ['6011 1111 1111 1117', 'discover'],
    ['3530 1113 3330 0000', 'jcb'],
  ])('%s (%s)', (card, network) => {
    const m = findPii(`card: ${card}.`);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ type: 'card', format: network, start: 6, end: 6 + card.length });
  });

  test.each([
    ['failed Luhn', '4111 1111 1111 1112'],
    ['failed Luhn, no separators', '5555555555554445'],
    ['Luhn-valid but no card network (order number)', '1234567812345670'],
    ['mixed separators', '4111 1111-1111 1111'],
    ['too short', '4111 1111 1111'],
    ['too long, no separators', '41111111111111111111'],
    ['ISBN', 'ISBN 978-3-16-148410-0'],
    ['inside an identifier', 'id=tx_4111111111111111'],
  ])('not: %s', (_why, text) => {
    expect(found(text).filter(([t]) => t === 'card')).toEqual([]);
  });

  test('a trailing expiry or a leading stray group is not part of the number', () => {
    expect(found('4111 1111 1111 1111 12/26')).toEqual([['card', '4111 1111 1111 1111']]);
    expect(found('0 4111 1111 1111 1111')).toEqual([['card', '4111 1111 1111 1111']]);
  });

  test('luhnValid', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });
});

describe('iban', () => {
  test.each(['DE89 3704 0044 0532 0130 00', 'DE89370400440532013000', 'GB82 WEST 1234 5698 7654 32', 'FR14 2004 1010 0505 0001 3M02 606', 'NL91ABNA0417164300'])('%s', (iban) => {
    expect(found(`IBAN ${iban} thanks`)).toEqual([['iban', iban]]);
  });

  test('stops at the country length when followed by an upper-case word', () => {
    expect(found('DE89 3704 0044 0532 0130 00 AND MORE')).toEqual([['iban', 'DE89 3704 0044 0532 0130 00']]);
  });

  test.each([
    ['bad check digits', 'DE88 3704 0044 0532 0130 00'],
    ['wrong length for the country', 'DE89 3704 0044 0532 0130 0'],
    ['unknown country', 'QQ89 3704 0044 0532 0130 00'],
    ['lower case', 'de89 3704 0044 0532 0130 00'],
  ])('not: %s', (_why, text) => {
    expect(found(text).filter(([t]) => t === 'iban')).toEqual([]);
  });

  test('ibanValid', () => {
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('GB82WEST12345698765433')).toBe(false);
  });
});

describe('national id', () => {
  test.each([
    ['536-22-1234', 'us_ssn'],
    ['536 22 1234', 'us_ssn'],
    ['AB 12 34 56 C', 'uk_nino'],
    ['AB123456C', 'uk_nino'],
    ['12345678Z', 'es_dni'],
    ['12345678-Z', 'es_dni'],
    ['X1234567L', 'es_nie'],
    ['130 692 544', 'ca_sin'],
    ['130-692-544', 'ca_sin'],
  ])('%s (%s)', (id, format) => {
    const m = findPii(`my id is ${id}.`);
    expect(m.map((x) => [x.type, x.format])).toEqual([['national_id', format]]);
  });

  test.each([
    ['SSN area 000', '000-12-3456'],
    ['SSN area 666', '666-12-3456'],
    ['SSN area 9xx', '912-34-5678'],
    ['SSN group 00', '536-00-1234'],
    ['SSN serial 0000', '536-22-0000'],
    ['the Woolworth wallet SSN', '078-05-1120'],
    ['SSN with mixed separators', '536-22 1234'],
    ['SSN without separators', '536221234'],
    ['NINO excluded prefix', 'GB 12 34 56 A'],
    ['NINO placeholder QQ', 'QQ 12 34 56 C'],
    ['NINO bad suffix', 'AB 12 34 56 E'],
    ['DNI wrong letter', '12345678A'],
    ['SIN failing Luhn', '130 692 545'],
    ['SIN starting 0', '046 454 286'],
  ])('not: %s', (_why, text) => {
    expect(found(text).filter(([t]) => t === 'national_id')).toEqual([]);
  });
});

describe('findPii on mixed text', () => {
  test('returns every match in order with spans', () => {
    const text = 'Ann (ann@example.com, +44 20 7946 0958) paid with 4111 1111 1111 1111 from DE89 3704 0044 0532 0130 00; SSN 536-22-1234.';
    expect(found(text)).toEqual([
      ['email', 'ann@example.com'],
      ['phone', '+44 20 7946 0958'],
      ['card', '4111 1111 1111 1111'],
      ['iban', 'DE89 3704 0044 0532 0130 00'],
      ['national_id', '536-22-1234'],
    ]);
  });

  test('prose, code and unicode without PII', () => {
    const text = 'Zürich café — 東京 🚀. for (let i = 0; i < 1000000; i++) sum += i * 31; // build 2024.11.05, PR #4521';
    expect(findPii(text)).toEqual([]);
  });

  test('offsets are UTF-16 offsets after astral characters', () => {
    const text = '🚀🚀 ann@example.com';
    const [m] = findPii(text);
    expect(text.slice(m?.start, m?.end)).toBe('ann@example.com');
  });
});

describe('redact', () => {
  const text = 'Mail ann@example.com or call +1 415 555 2671; card 4111 1111 1111 1111.';
  test('all types', () => {
    expect(redact(text)).toBe('Mail [REDACTED:email] or call [REDACTED:phone]; card [REDACTED:card].');
  });
  test('only the listed types', () => {
    expect(redact(text, ['email'])).toBe('Mail [REDACTED:email] or call +1 415 555 2671; card 4111 1111 1111 1111.');
  });
  test('a card is not redacted as a phone when only phones are asked for', () => {
    expect(redact('card 4111 1111 1111 1111', ['phone'])).toBe('card 4111 1111 1111 1111');
  });
  test('text without PII is returned unchanged', () => {
    expect(redact('nothing here 123')).toBe('nothing here 123');
  });
});

test('countPii adds to the counts', () => {
  const counts = emptyPiiCounts();
  countPii('a@b.io and c@d.io, 536-22-1234', counts);
  countPii('e@f.io', counts);
  expect(counts).toEqual({ email: 3, phone: 0, card: 0, iban: 0, national_id: 1 });
});
