import type { Decision } from '../../src/policy/decision.ts';
import type { PolicyInput } from '../../src/policy/input-schema.ts';
import type { PolicyRuntime } from '../../src/policy/runtime.ts';

/** A policy that returns a fixed decision and keeps every input it saw. */
export function stubPolicy(decision: Decision) {
  const inputs: PolicyInput[] = [];
  const policy: PolicyRuntime = {
    evaluate(input) {
      inputs.push(input);
      return { decision, decision_id: 'dec_test', revision: 'stub', eval_us: 0 };
    },
    revision: () => 'stub',
    reload: async () => ({ ok: true, revision: 'stub' }),
    close: async () => {},
  };
  return { policy, inputs };
}
