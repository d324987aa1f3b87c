import { Command } from 'commander';
import { configSource } from './config-source.ts';
import { currentPolicy } from './decision-policy.ts';
import { CliError } from './guard.ts';
import type { Io } from './io.ts';
import { runAction, usingStore } from './parse-action.ts';
import { createRegoCompiler } from '../policy/compiler/index.ts';
import type { Json, RegoCompiler } from '../policy/compiler/types.ts';
import { DEFAULT_ENTRYPOINT } from '../policy/engine.ts';
import { TRUNCATED } from '../policy/decision-record.ts';
import { findDecision, usageDecisionId } from '../store/decision-rows.ts';
import { parseDecision, withDenyDefaults, type Decision } from '../policy/decision.ts';
import { decisionChanges } from '../policy/decision-diff.ts';

interface ExplainOptions {
  config?: string;
  trace?: boolean;
  json?: boolean;
}

/** `tollgate policy explain <request-id|decision-id>`: a logged decision, its input, and the rules that produced it. */
export function policyExplainCommand(io: Io, env: NodeJS.ProcessEnv): Command {
  return new Command('explain')
    .description("Show a logged decision (by request id or decision id): its input, result, reasons and the rules that produced it (OPA's trace)")
    .argument('<id>', 'a request id (x-request-id) or decision id (x-tollgate-decision-id)')
    .option('-c, --config <file>', 'gateway config: its database and policy (default: ./gateway.config.yaml, else the embedded defaults)')
    .option('--trace', "also print OPA's full trace (as `opa eval --explain=full`)")
    .option('--json', 'print one JSON document')
    .action(async (id: string, opts: ExplainOptions) => {
      await runAction(io, async () => {
        process.exitCode = await explain(id, opts, io, env);
      });
    });
}

async function explain(id: string, opts: ExplainOptions, io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const row = await usingStore(io, opts.config, 'read', async (store) => {
    const found = await findDecision(store, id);
    if (found) return found;
    const usage = await usageDecisionId(store, id);
    if (usage.found) throw new CliError(`request ${id} is in the usage ledger${usage.decisionId ? ` (decision ${usage.decisionId})` : ' with no policy decision'}, but its decision was not logged (policy.decision_log off, or sampled out by sample_rate)`);
    throw new CliError(`no logged decision has the decision id or request id '${id}' (see them in the x-tollgate-decision-id and x-request-id response headers)`);
  });
  const input = JSON.parse(row.input) as Record<string, Json>;
  const recorded = JSON.parse(row.result) as Record<string, Json>;
  const source = configSource(opts.config);
  // One compiler for the compile (when the cache misses) and the trace: each start inflates ~40 MiB.
  const compiler = await createRegoCompiler();
  let traced: Awaited<ReturnType<typeof traceOf>> | undefined;
  let current: Awaited<ReturnType<typeof currentPolicy>>;
  try {
    current = await currentPolicy((await source.load()).config, source.path, env, compiler);
    traced = TRUNCATED in input || !current.files ? undefined : await traceOf(compiler, current.files, current.policy.data, input);
  } finally {
    await compiler.close();
  }
  const isCurrent = current.policy.revision === row.policyRevision;
  if (opts.json) {
    io.out(JSON.stringify({ decision_id: row.decisionId, request_id: row.requestId, at: new Date(row.createdAt).toISOString(), policy_revision: row.policyRevision, current_revision: current.policy.revision, revision_is_current: isCurrent, input, result: recorded, failure: row.failure, trace: traced ?? null }, null, 2));
    return 0;
  }
  io.out(`decision ${row.decisionId}  request ${row.requestId}  at ${new Date(row.createdAt).toISOString()}`);
  io.out(`policy revision ${row.policyRevision}` + (isCurrent ? ` (the current policy, ${current.label})` : ` — NOT the current policy (${current.label} is revision ${current.policy.revision}); the rules below are the current policy's, for the same input`));
  io.out(`\ninput (as logged, PII masked):\n${JSON.stringify(input, null, 2)}`);
  io.out(`\ndecision: ${row.allowed ? 'allowed' : `denied (${String(recorded.http_status ?? 403)})`}`);
  io.out(JSON.stringify(recorded, null, 2));
  if (row.failure) io.out(`policy failure: ${row.failure}`);
  const reasons = Array.isArray(recorded.reasons) ? recorded.reasons : [];
  io.out(reasons.length ? `\nreasons:\n${reasons.map((r) => `  - ${String(r)}`).join('\n')}` : '\nreasons: none given by the policy');
  if (TRUNCATED in input) {
    io.out('\nrules: the input was over policy.decision_log.max_input_bytes when logged, so it cannot be traced');
    return 0;
  }
  if (!traced) {
    io.out(`\nrules: the policy is a wasm bundle (${current.label}) with no Rego sources to trace`);
    return 0;
  }
  if (traced.error) io.err(`OPA evaluation failed: ${traced.error}`);
  if (!isCurrent) {
    const now = parseDecision(traced.result);
    const same = now.ok && decisionChanges(recorded as unknown as Decision, withDenyDefaults(now.decision)).length === 0;
    io.out(`\nthe current policy ${same ? 'decides the same' : 'decides differently'}: ${JSON.stringify(traced.result)}`);
  }
  io.out(`\nrules that produced it (evaluated by OPA, ${traced.rules.length} succeeded, in order):`);
  for (const r of traced.rules) {
    const path = r.rule.startsWith(PACKAGE + '.') ? r.rule.slice(PACKAGE.length + 1).split('.') : [];
    const value = path.reduce<unknown>((o, k) => (o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>)[k] : undefined), path.length ? traced.values : undefined);
    io.out(`  ${r.rule}${r.default ? ' (default)' : ''}  ${r.location.file}:${r.location.line}${r.times > 1 ? `  ×${r.times}` : ''}${value === undefined ? '' : `  = ${short(JSON.stringify(value))}`}`);
  }
  if (opts.trace) io.out(`\ntrace:\n${traced.trace}`);
  return 0;
}

const PACKAGE = 'data.' + DEFAULT_ENTRYPOINT.split('/').slice(0, -1).join('.');
const short = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}...` : s);

async function traceOf(compiler: RegoCompiler, files: Record<string, string>, data: Record<string, Json>, input: Record<string, Json>) {
  const r = await compiler.explain({ files, data, query: 'data.' + DEFAULT_ENTRYPOINT.replaceAll('/', '.'), input });
  // The value of every rule of the package, as OPA evaluates it (as `policy eval` shows them).
  const pkg = await compiler.eval({ files, data, query: PACKAGE, input });
  const values = pkg.defined && pkg.result && typeof pkg.result === 'object' && !Array.isArray(pkg.result) ? pkg.result : {};
  return { result: r.defined ? r.result : undefined, error: r.error ?? (r.errors.length ? r.errors.map((p) => p.message).join('; ') : undefined), rules: r.rules, values, trace: r.trace };
}
