/**
 * The policy engine's public API. The request path needs:
 *
 *   const policy = await createPolicyRuntime({ dir: config.policy.dir, data: config.policy.data, logger, watch: true });
 *   const input = buildInput({ endpoint, body, headers, clientIp, key, usage, providers, catalogTarget, now });
 *   const evaluation = policy.evaluate(input);        // never throws; fails closed
 *   const error = denyError(evaluation);             // GatewayError for a deny, else undefined
 *   redact(text, evaluation.decision.redact ?? []);   // before the prompt leaves the gateway
 */
export { buildInput, POLICY_HEADERS, METADATA_HEADER, TAGS_HEADER, timeFacts, type BuildInputArgs, type RequestBody } from './input.ts';
export {
  policyInputSchema,
  policyInputJsonSchema,
  type PolicyInput,
  type PolicyKey,
  type PolicyProvider,
  type UsageCounters,
  type PolicyEndpoint,
} from './input-schema.ts';
export { decisionSchema, parseDecision, type Decision, type DecisionTargets, type ParseDecisionResult } from './decision.ts';
export { createPolicyEngine, DEFAULT_ENTRYPOINT, type PolicyEngine, type PolicyEngineOptions, type PolicyEvaluation, type PolicyFailureKind } from './engine.ts';
export { createPolicyRuntime, PolicyLoadError, type PolicyRuntime, type PolicyRuntimeOptions, type ReloadResult } from './runtime.ts';
export { loadPolicies, loadBundle, formatProblem, type LoadedPolicy, type LoadResult } from './loader.ts';
export { denyError, DECISION_ID_HEADER } from './deny.ts';
export { findPii, redact, PII_TYPES, type PiiMatch, type PiiType } from './pii.ts';
