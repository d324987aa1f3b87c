import { expect, test } from 'bun:test';
import { denyError } from './deny.ts';
import type { PolicyEvaluation } from './engine.ts';

const ev = (decision: PolicyEvaluation['decision'], failure?: PolicyEvaluation['failure']): PolicyEvaluation => ({ decision, decision_id: 'd1', revision: 'r', eval_us: 1, failure });

test('an allow is no error', () => {
  expect(denyError(ev({ allowed: true }))).toBeUndefined();
});

test('an explicit deny keeps status and message', () => {
  const e = denyError(ev({ allowed: false, http_status: 403, message: 'model not allowed' }));
  expect(e).toMatchObject({ kind: 'forbidden', status: 403, message: 'model not allowed', code: 'policy_denied', headers: { 'x-tollgate-decision-id': 'd1' } });
  expect(denyError(ev({ allowed: false, http_status: 429, message: 'budget' }))).toMatchObject({ kind: 'rate_limited', status: 429 });
  expect(denyError(ev({ allowed: false, http_status: 451, message: 'legal' }))).toMatchObject({ kind: 'forbidden', status: 451 });
});

test('a failure is a policy_error 500', () => {
  const e = denyError(ev({ allowed: false, http_status: 500, message: 'could not decide' }, { kind: 'undefined', detail: 'x' }));
  expect(e).toMatchObject({ kind: 'policy_error', status: 500, code: 'policy_error' });
});
