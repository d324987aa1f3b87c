import { Command } from 'commander';
import { configSource } from './config-source.ts';
import { candidatePolicy } from './decision-policy.ts';
import type { Io } from './io.ts';
import { runAction, UsageError, usingStore } from './parse-action.ts';
import { createPolicyEngine } from '../policy/engine.ts';
import type { PolicyInput } from '../policy/input-schema.ts';
import type { Decision } from '../policy/decision.ts';
import { replayDecisions, type ReplayReport } from '../policy/replay.ts';
import { InvalidValue, parseInstant } from '../server/routes/admin/values.ts';
import { decisionsSince } from '../store/decision-rows.ts';

interface ReplayOptions {
  candidate: string;
  since: string;
  maxChanged?: string;
  examples: string;
  json?: boolean;
  config?: string;
}

/** `tollgate policy replay --candidate DIR`: what a policy change would change, over the logged decisions. */
export function policyReplayCommand(io: Io, env: NodeJS.ProcessEnv): Command {
  return new Command('replay')
    .description('Re-evaluate logged decision inputs against a candidate policy directory and report the decisions it would change (exit 1 above --max-changed)')
    .requiredOption('--candidate <dir>', 'the candidate policy directory (compiled and tested as the gateway would)')
    .option('--since <when>', 'decisions logged since: a duration back from now (24h, 7d) or an ISO date', '24h')
    .option('--max-changed <n>', 'exit 1 when more than this many decisions change (default: report only)')
    .option('--examples <n>', 'examples shown per kind of change', '3')
    .option('--json', 'print the report as JSON')
    .option('-c, --config <file>', 'gateway config: its database and policy.data (default: ./gateway.config.yaml, else the embedded defaults)')
    .action(async (opts: ReplayOptions) => {
      await runAction(io, async () => {
        process.exitCode = await replay(opts, io, env);
      });
    });
}

function count(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new UsageError(`--${flag}: expected a whole number, got '${v}'`);
  return Number(v);
}

async function replay(opts: ReplayOptions, io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const maxChanged = count('max-changed', opts.maxChanged);
  const examples = count('examples', opts.examples) ?? 3;
  let since: number;
  try {
    since = parseInstant(opts.since, 'ago', Date.now());
  } catch (e) {
    if (e instanceof InvalidValue) throw new UsageError(`--since: ${e.message}`);
    throw e;
  }
  const { config } = await configSource(opts.config).load();
  const candidate = await candidatePolicy(opts.candidate, config, env);
  const engine = await createPolicyEngine({ wasm: candidate.policy.wasm, data: candidate.policy.data, revision: candidate.policy.revision });
  const started = performance.now();
  const report = await usingStore(io, opts.config, 'read', (store) =>
    replayDecisions(decisionsSince(store, since), (input: PolicyInput) => {
      const ev = engine.evaluate(input);
      return { decision: ev.decision as Decision, failure: ev.failure?.kind };
    }, { examples }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (report.total === 0) io.err(`no decisions logged since ${new Date(since).toISOString()}: check that -c names the gateway's config (its database) and that policy.decision_log is on`);
  const over = maxChanged !== undefined && report.changed > maxChanged;
  if (opts.json) io.out(JSON.stringify({ candidate: opts.candidate, candidate_revision: candidate.policy.revision, since: new Date(since).toISOString(), ...report, seconds: Number(seconds.toFixed(3)), max_changed: maxChanged ?? null, over_threshold: over }, null, 2));
  else io.out(formatReport(report, opts.candidate, candidate.policy.revision, seconds, maxChanged));
  return over ? 1 : 0;
}

function formatReport(r: ReplayReport, dir: string, revision: string, seconds: number, maxChanged: number | undefined): string {
  const lines = [`replayed ${r.replayed} of ${r.total} logged decisions against ${dir} (revision ${revision}) in ${seconds.toFixed(2)} s (${Math.round(r.replayed / Math.max(seconds, 1e-3))}/s)`];
  lines.push(`  logged by revision: ${Object.entries(r.revisions).map(([rev, n]) => `${rev} (${n})`).join(', ') || 'none'}`);
  if (r.skipped.truncated) lines.push(`  skipped ${r.skipped.truncated}: input over max_input_bytes when logged (not kept)`);
  if (r.skipped.unreadable) lines.push(`  skipped ${r.skipped.unreadable}: input or result not readable`);
  lines.push(`changed: ${r.changed}${maxChanged !== undefined ? ` (threshold ${maxChanged}: ${r.changed > maxChanged ? 'OVER' : 'ok'})` : ''}`);
  for (const k of r.kinds) {
    lines.push(`  ${k.kind}: ${k.count}`);
    for (const e of k.examples) lines.push(`    ${e.decision_id} (request ${e.request_id}): ${e.before} -> ${e.after}`);
  }
  return lines.join('\n');
}
