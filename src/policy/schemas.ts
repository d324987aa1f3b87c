import type { Json, SchemaRequest } from './compiler/types.ts';
import { decisionJsonSchema } from './decision.ts';
import { policyInputJsonSchema } from './input-schema.ts';

/**
 * The schemas every policy compile, check and test is type-checked against (OPA's schema
 * support): the input document's, as in docs/policy-input.schema.json, and the decision's at
 * the entrypoint. So `input.request.modle` or `decision.alow` is a compile error, not a rule
 * that never fires or a decision the gateway refuses.
 */

export const INPUT_SCHEMA_NAME = 'docs/policy-input.schema.json';

let cached: { input: Json; decision: Json; digest: string } | undefined;

function schemas(): { input: Json; decision: Json; digest: string } {
  if (!cached) {
    const input = policyInputJsonSchema() as Json;
    const decision = decisionJsonSchema() as Json;
    const digest = new Bun.CryptoHasher('sha256').update(JSON.stringify([input, decision])).digest('hex').slice(0, 16);
    cached = { input, decision, digest };
  }
  return cached;
}

/** The schemas for a policy whose decision is at `entrypoint` (e.g. gateway/decision). */
export function gatewaySchemas(entrypoint: string): SchemaRequest {
  const s = schemas();
  return { input: s.input, inputName: INPUT_SCHEMA_NAME, decision: { path: entrypoint, schema: s.decision } };
}

/** Set by scripts/build.ts to `schemasDigest()`, so a start that only looks up the compile cache does not generate the schemas. */
declare const TOLLGATE_SCHEMAS_DIGEST: string | undefined;

/** Names the schemas, for cache keys: a policy checked against other schemas is another result. */
export const schemasDigest = (): string => (typeof TOLLGATE_SCHEMAS_DIGEST === 'string' ? TOLLGATE_SCHEMAS_DIGEST : schemas().digest);
