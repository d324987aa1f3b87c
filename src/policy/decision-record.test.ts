import { expect, test } from 'bun:test';
import { chatRequest } from '../wire/openai.ts';
import { buildInput } from './input.ts';
import { decisionRecord, maskIp, TRUNCATED } from './decision-record.ts';
import type { PolicyEvaluation } from './engine.ts';

const PROMPT = 'Call me on +44 20 7946 0958 or write to ann@example.com about the zebra-cactus plan';

function input(metadata: Record<string, string> = {}) {
  const headers = new Headers({ 'x-tollgate-metadata': JSON.stringify(metadata), 'user-agent': 'bot (ops@example.com)' });
  return buildInput({
    endpoint: 'chat.completions',
    body: chatRequest.parse({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }] }),
    headers,
    clientIp: '203.0.113.77',
    key: { id: 'k1', name: 'ana@example.com', team: 'ml', user: 'ana@example.com', tags: ['owner:ana@example.com'] },
    now: new Date('2026-01-02T03:04:05Z'),
  });
}

const evaluation = (allowed: boolean): PolicyEvaluation => ({
  decision: allowed ? { allowed, reasons: ['ok'] } : { allowed, http_status: 403, message: 'no', reasons: ['no'] },
  decision_id: 'dec_1',
  revision: 'rev1',
  eval_us: 12,
});

test('the logged input has no prompt text, PII in free-text fields masked and the address cut to its network', () => {
  const row = decisionRecord({ requestId: 'req_1', input: input({ contact: 'bob@example.com', ticket: 'T-1' }), evaluation: evaluation(true), maxInputBytes: 16384, now: 1 });
  expect(row.input).not.toContain('zebra-cactus');
  expect(row.input).not.toContain('example.com');
  expect(row.input).not.toContain('203.0.113.77');
  const logged = JSON.parse(row.input);
  expect(logged.request.metadata).toEqual({ contact: '[REDACTED:email]', ticket: 'T-1' });
  expect(logged.request.client_ip).toBe('203.0.113.0');
  expect(logged.key.user).toBe('[REDACTED:email]');
  expect(logged.key.tags).toEqual(['owner:[REDACTED:email]']);
  // The signals a policy decides on stay as they were.
  expect(logged.signals.pii_types).toEqual(['email', 'phone']);
  expect(row.keyName).toBe('[REDACTED:email]');
  expect(row).toMatchObject({ decisionId: 'dec_1', requestId: 'req_1', policyRevision: 'rev1', allowed: true, httpStatus: null, inputTruncated: false, reasons: ['ok'] });
});

test('an input over the cap is stored as a truncation marker, with its size', () => {
  // Ten values of 250 characters: within x-tollgate-metadata's bounds (4 KiB), over this cap.
  const big = input(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`note${i}`, 'x'.repeat(250)])));
  const row = decisionRecord({ requestId: 'req_2', input: big, evaluation: evaluation(false), maxInputBytes: 1024, now: 1 });
  expect(row.inputTruncated).toBe(true);
  const logged = JSON.parse(row.input);
  expect(logged[TRUNCATED]).toMatchObject({ limit: 1024 });
  expect(logged[TRUNCATED].bytes).toBeGreaterThan(2500);
  expect(row.inputBytes).toBe(logged[TRUNCATED].bytes);
  expect(row).toMatchObject({ allowed: false, httpStatus: 403 });
});

test('addresses are cut to /24 and /48', () => {
  expect(maskIp('10.1.2.3')).toBe('10.1.2.0');
  expect(maskIp('::ffff:10.1.2.3')).toBe('10.1.2.0');
  expect(maskIp('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::');
  expect(maskIp(null)).toBe(null);
  expect(maskIp('not-an-ip')).toBe('[REDACTED:ip]');
});

test('a policy echoing PII into its message, reasons or failure: masked in the log too', () => {
  const ev = evaluation(false);
  ev.decision = { ...ev.decision, message: 'no access for ann@example.com', reasons: ['ann@example.com is blocked'] };
  const row = decisionRecord({ requestId: 'req_3', input: input(), evaluation: ev, maxInputBytes: 1 << 20, now: 1 });
  expect(row.result).not.toContain('ann@example.com');
  expect(row.reasons).toEqual(['[REDACTED:email] is blocked']);
});

test('a shared (frozen) decision is masked once and logged the same for every request; one that can still change is masked each time', () => {
  const frozen = Object.freeze({ allowed: false, http_status: 403, message: 'no for ann@example.com', reasons: Object.freeze(['team ann@example.com']) }) as PolicyEvaluation['decision'];
  const ev = (decision: PolicyEvaluation['decision']): PolicyEvaluation => ({ decision, decision_id: 'dec_s', revision: 'rev1', eval_us: 1 });
  const a = decisionRecord({ requestId: 'r1', input: input(), evaluation: ev(frozen), maxInputBytes: 1 << 20, now: 1 });
  const b = decisionRecord({ requestId: 'r2', input: input(), evaluation: ev(frozen), maxInputBytes: 1 << 20, now: 2 });
  expect(a.result).not.toContain('ann@example.com');
  expect(b.result).toBe(a.result);
  expect(b.reasons).toEqual(a.reasons);
  expect(b.reasons).not.toBe(a.reasons); // each row its own array
  const open: PolicyEvaluation['decision'] = { allowed: false, message: 'first', reasons: ['first'] };
  const c = decisionRecord({ requestId: 'r3', input: input(), evaluation: ev(open), maxInputBytes: 1 << 20, now: 3 });
  open.message = 'second';
  open.reasons = ['second'];
  const d = decisionRecord({ requestId: 'r4', input: input(), evaluation: ev(open), maxInputBytes: 1 << 20, now: 4 });
  expect(c.result).toContain('first');
  expect(d.result).toContain('second');
  expect(d.reasons).toEqual(['second']);
});
