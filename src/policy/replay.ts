import type { LoggedDecision } from '../store/decision-rows.ts';
import { CHANGE_FIELDS, CHANGE_KINDS, decisionChanges, type ChangeKind } from './decision-diff.ts';
import type { Decision } from './decision.ts';
import type { PolicyInput } from './input-schema.ts';
import { TRUNCATED } from './decision-record.ts';

export interface ReplayExample {
  decision_id: string;
  request_id: string;
  /** The fields of this kind, before and after (JSON). */
  before: string;
  after: string;
}

export interface ReplayReport {
  total: number;
  replayed: number;
  skipped: { truncated: number; unreadable: number };
  /** Decisions with at least one change (a decision may count under several kinds). */
  changed: number;
  unchanged: number;
  kinds: { kind: ChangeKind; count: number; examples: ReplayExample[] }[];
  /** Logged decisions by the revision that made them. */
  revisions: Record<string, number>;
}

export type Evaluate = (input: PolicyInput) => { decision: Decision; failure?: string };

const pick = (d: Decision, fields: (keyof Decision)[]) => JSON.stringify(Object.fromEntries(fields.filter((f) => d[f] !== undefined).map((f) => [f, d[f]])));

/**
 * Re-evaluates each logged input with `evaluate` (the candidate policy's wasm engine) and counts
 * the decisions that would change, by kind, keeping the first `examples` of each. A logged
 * failure (fail-closed deny) and a candidate failure of the same kind are the same decision.
 */
export async function replayDecisions(pages: AsyncIterable<LoggedDecision[]>, evaluate: Evaluate, { examples = 3 } = {}): Promise<ReplayReport> {
  const counts = new Map<ChangeKind, { count: number; examples: ReplayExample[] }>();
  const report: ReplayReport = { total: 0, replayed: 0, skipped: { truncated: 0, unreadable: 0 }, changed: 0, unchanged: 0, kinds: [], revisions: {} };
  for await (const page of pages) {
    for (const row of page) {
      report.total++;
      report.revisions[row.policyRevision] = (report.revisions[row.policyRevision] ?? 0) + 1;
      if (row.inputTruncated) {
        report.skipped.truncated++;
        continue;
      }
      let input: PolicyInput;
      let before: Decision;
      try {
        input = JSON.parse(row.input) as PolicyInput;
        before = JSON.parse(row.result) as Decision;
      } catch {
        report.skipped.unreadable++;
        continue;
      }
      if (TRUNCATED in input) {
        report.skipped.truncated++;
        continue;
      }
      report.replayed++;
      const after = evaluate(input);
      const beforeFailure = row.failure?.split(':')[0];
      const kinds = beforeFailure !== undefined && beforeFailure === after.failure ? [] : decisionChanges(before, after.decision);
      if (!kinds.length) {
        report.unchanged++;
        continue;
      }
      report.changed++;
      for (const kind of kinds) {
        const c = counts.get(kind) ?? { count: 0, examples: [] };
        c.count++;
        if (c.examples.length < examples) c.examples.push({ decision_id: row.decisionId, request_id: row.requestId, before: pick(before, CHANGE_FIELDS[kind]), after: pick(after.decision, CHANGE_FIELDS[kind]) });
        counts.set(kind, c);
      }
    }
  }
  report.kinds = CHANGE_KINDS.filter((k) => counts.has(k)).map((k) => ({ kind: k, ...counts.get(k)! }));
  return report;
}
