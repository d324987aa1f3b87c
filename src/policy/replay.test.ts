import { expect, test } from 'bun:test';
import type { LoggedDecision } from '../store/decision-rows.ts';
import { replayDecisions, type Evaluate } from './replay.ts';
import { TRUNCATED } from './decision-record.ts';
import type { Decision } from './decision.ts';

let n = 0;
function logged(input: object, result: Decision, over: Partial<LoggedDecision> = {}): LoggedDecision {
  n++;
  return { decisionId: `d${n}`, requestId: `r${n}`, createdAt: n, policyRevision: 'rev-a', allowed: result.allowed, input: JSON.stringify(input), inputTruncated: false, result: JSON.stringify(result), failure: null, ...over };
}
async function* pages(...rows: LoggedDecision[]) {
  yield rows.slice(0, 2);
  yield rows.slice(2);
}

// The candidate: denies team "b", caps everyone else at 100 tokens.
const candidate: Evaluate = (input) => {
  const team = (input.key as { team: string }).team;
  if (team === 'fail') return { decision: { allowed: false, http_status: 500, message: 'id changes every time' }, failure: 'out_of_fuel' };
  return { decision: team === 'b' ? { allowed: false, http_status: 403, message: 'no b' } : { allowed: true, max_tokens: 100 } };
};

test('replay counts each changed decision once, by kind, with examples, and skips what it cannot replay', async () => {
  const rows = [
    logged({ key: { team: 'a' } }, { allowed: true, max_tokens: 100, reasons: ['x'] }), // unchanged (reasons only)
    logged({ key: { team: 'a' } }, { allowed: true, max_tokens: 200 }), // limits
    logged({ key: { team: 'b' } }, { allowed: true, max_tokens: 100 }), // allowed_to_denied
    logged({ key: { team: 'fail' } }, { allowed: false, http_status: 500, message: 'other id' }, { failure: 'out_of_fuel: ran 20000000' }), // same failure: unchanged
    logged({ [TRUNCATED]: { bytes: 1 } }, { allowed: true }, { inputTruncated: true, policyRevision: 'rev-b' }),
    logged({}, { allowed: true }, { input: '{not json' }),
  ];
  const r = await replayDecisions(pages(...rows), candidate, { examples: 1 });
  expect(r).toMatchObject({ total: 6, replayed: 4, skipped: { truncated: 1, unreadable: 1 }, changed: 2, unchanged: 2, revisions: { 'rev-a': 5, 'rev-b': 1 } });
  expect(r.kinds).toEqual([
    { kind: 'allowed_to_denied', count: 1, examples: [{ decision_id: rows[2]!.decisionId, request_id: rows[2]!.requestId, before: '{"allowed":true}', after: '{"allowed":false,"http_status":403,"message":"no b"}' }] },
    { kind: 'limits', count: 1, examples: [{ decision_id: rows[1]!.decisionId, request_id: rows[1]!.requestId, before: '{"max_tokens":200}', after: '{"max_tokens":100}' }] },
  ]);
});
