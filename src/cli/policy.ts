import { inexactNumbers } from '../lib/inexact-numbers.ts';
import { Command } from 'commander';
import type { z } from 'zod';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildCatalog } from '../config/catalog.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { createRegoCompiler } from '../policy/compiler/index.ts';
import type { CoverageReport, RegoFiles, RegoTestResult } from '../policy/compiler/types.ts';
import { readPolicySources } from '../policy/bundle-sources.ts';
import { formatCoverageReport, renameFiles, thresholdError } from '../policy/coverage-report.ts';
import { gatewaySchemas } from '../policy/schemas.ts';
import { createPolicyEngine, DEFAULT_ENTRYPOINT } from '../policy/engine.ts';
import { buildInput, policyInputJsonSchema, policyInputSchema, type PolicyInput, type PolicyProvider } from '../policy/input.ts';
import { compileKey, userCompileCache } from '../policy/compile-cache.ts';
import { compilePolicySources, formatProblem } from '../policy/loader.ts';
import { isTestFile, mergeSources, onDisk, testOnDisk, type DataDocument, type PolicySources } from '../policy/policy-files.ts';
import { testKey, userTestCache } from '../policy/test-cache.ts';
import { formatTestReport } from '../policy/test-report.ts';
import { inertFieldWarnings } from '../policy/inert-fields.ts';
import { chatRequest, embeddingsRequest } from '../wire/openai.ts';
import { completionsRequest } from '../wire/completions.ts';
import { messagesRequest } from '../wire/anthropic.ts';
import { configSource } from './config-source.ts';
import { policyExportCommand } from './init.ts';
import { policyExplainCommand } from './policy-explain.ts';
import { policyReplayCommand } from './policy-replay.ts';
import { CliError } from './guard.ts';
import { consoleIo, type Io } from './parse-action.ts';

/** Where the policy commands write and whose environment picks the compile cache; tests pass their own. */
export interface PolicyCommandOptions {
  io?: Io;
  env?: NodeJS.ProcessEnv;
}

/** `tollgate policy test|check|eval|schema|explain|replay` — runs the same compiler and engine as the gateway. */
export function policyCommand({ io = consoleIo, env = process.env }: PolicyCommandOptions = {}): Command {
  const cmd = new Command('policy').description('Rego policies: test, check, evaluate; explain and replay logged decisions');

  cmd
    .command('test')
    .description("Run the *_test.rego tests with OPA's test runner (output as `opa test`; a pass is replayed while nothing changed, like `go test`)")
    .argument('[path]', 'policy directory, or an OPA bundle (.tar.gz, or a directory with a .manifest)', 'policies')
    .option('-v, --verbose', 'print every test and where failures happened')
    .option('-c, --coverage', 'report coverage per file and overall, as `opa test --coverage`')
    .option('--json', "with --coverage: print OPA's coverage report as JSON")
    .option('--threshold <percent>', 'fail when coverage is below this percentage (0-100; implies --coverage)')
    .action(async (dir: string, opts: TestOptions) => {
      process.exitCode = await testCommand(dir, opts, io, env);
    });

  cmd
    .command('check')
    .description('Compile the policies for the gateway and run their tests; print errors as file:line:col: message')
    .argument('[dir]', 'policy directory', 'policies')
    .action(async (dir: string) => {
      const sources = readSources(io, dir);
      if (!sources) return;
      const r = await compilePolicySources(sources, { cache: await userCompileCache(env) });
      if (!reportProblems(io, r.ok ? [] : r.errors) || !r.ok) return;
      const rego = Object.keys(sources.files).length;
      for (const w of inertFieldWarnings(sources.files)) io.err(formatProblem(onDisk(sources, w)));
      io.out(`${dir}: OK (${rego} Rego files, tests ${r.policy.tests.passed}/${r.policy.tests.total} passed, revision ${r.policy.revision})${r.cached ? ' (cached)' : ''}`);
    });

  cmd
    .command('eval')
    .description('Evaluate the decision for one input and show which rules produced it')
    .requiredOption('-i, --input <file>', 'a policy input document (JSON), or a client request body to build one from')
    .option('-d, --dir <dir>', 'policy directory', 'policies')
    .option('-c, --config <file>', 'gateway config: adds its providers and policy.data')
    .option('-e, --endpoint <endpoint>', 'for a request body: chat.completions | messages | embeddings | completions (default: guessed)')
    .option('--team <team>', 'for a request body: the key team')
    .option('--key <name>', 'for a request body: the key name')
    .action(async (opts: EvalOptions) => {
      process.exitCode = await evalCommand(opts, io, env);
    });

  cmd
    .command('schema')
    .description('Write the JSON Schema of the policy input document')
    .option('-o, --out <file>', 'output file', 'docs/policy-input.schema.json')
    .action((opts: { out: string }) => {
      try {
        mkdirSync(dirname(opts.out), { recursive: true });
        writeFileSync(opts.out, JSON.stringify(policyInputJsonSchema(), null, 2) + '\n');
      } catch (e) {
        throw new CliError(`--out ${opts.out}: cannot write it (${errorCode(e)}); choose another path with --out FILE`);
      }
      io.out(`wrote ${opts.out}`);
    });
  cmd.addCommand(policyExportCommand(io));
  cmd.addCommand(policyExplainCommand(io, env));
  cmd.addCommand(policyReplayCommand(io, env));
  return cmd;
}

interface TestOptions {
  verbose?: boolean;
  coverage?: boolean;
  json?: boolean;
  threshold?: string;
}

async function testCommand(dir: string, opts: TestOptions, io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
  if (threshold !== undefined && !(opts.threshold!.trim() !== '' && threshold >= 0 && threshold <= 100)) {
    throw new CliError(`--threshold: expected a percentage between 0 and 100, got '${opts.threshold}'`);
  }
  const coverage = opts.coverage === true || threshold !== undefined;
  if (opts.json && !coverage) throw new CliError('--json prints the coverage report: give it with --coverage (or --threshold N)');
  const sources = readSources(io, dir, '[path]');
  if (!sources) return 1;
  const merged = mergeSources(sources);
  if (!reportProblems(io, merged.errors.map((p) => onDisk(sources, p)))) return 1;
  // Passed before with the same sources, data and compiler: replayed, like `go test` (coverage is always measured).
  const cache = userTestCache(env);
  const key = await testKey(sources, merged.data);
  const cached = coverage ? undefined : cache.get(key);
  const run = cached ? { results: cached } : await runTests(io, sources, merged.data, coverage);
  if (!run) return 1;
  const { results } = run;
  if (results.length === 0) {
    io.err(`${dir}: no tests found`);
    return 1;
  }
  const report = formatTestReport(results.map((t) => testOnDisk(sources, t)), { verbose: opts.verbose });
  if (!coverage) {
    io.out(cached ? `${report.text} (cached)` : report.text);
    if (report.ok && !cached) cache.put(key, results);
    return report.ok ? 0 : 1;
  }
  // As `opa test --coverage`: failing tests are reported instead of coverage.
  if (!report.ok || !run.coverage) {
    io.out(report.text);
    return 1;
  }
  const cov = renameFiles(run.coverage, (f) => onDisk(sources, { file: f }).file);
  io.out(opts.json ? JSON.stringify(cov, null, 2) : `${report.text}\n\n${formatCoverageReport(cov)}`);
  if (threshold !== undefined && cov.coverage < threshold) {
    io.err(thresholdError(cov.coverage, threshold));
    return 1;
  }
  return 0;
}

/** Runs the tests with OPA's runner; undefined (problems printed) when they do not compile. */
async function runTests(io: Io, sources: PolicySources, data: DataDocument, coverage = false): Promise<{ results: RegoTestResult[]; coverage?: CoverageReport } | undefined> {
  const compiler = await createRegoCompiler();
  try {
    const r = await compiler.test({ files: sources.files, data, coverage, schemas: gatewaySchemas(DEFAULT_ENTRYPOINT) });
    return reportProblems(io, r.errors.map((p) => onDisk(sources, p))) ? r : undefined;
  } finally {
    await compiler.close();
  }
}

function readSources(io: Io, dir: string, flag = '[dir]'): PolicySources | undefined {
  if (!existsSync(dir)) throw new CliError(`policy directory ${dir} does not exist (give the directory with your .rego files, or an OPA bundle, as ${flag}, or \`tollgate policy export ${dir}\` writes the built-in policies there)`);
  const r = readPolicySources(dir);
  if (r.ok) return r.sources;
  reportProblems(io, r.errors);
  return undefined;
}

/** Prints problems to stderr and sets exit code 1; true when there were none. */
function reportProblems(io: Io, problems: { file: string; line: number; col: number; message: string }[]): boolean {
  for (const p of problems) io.err(formatProblem(p));
  if (problems.length > 0) process.exitCode = 1;
  return problems.length === 0;
}

interface EvalOptions {
  input: string;
  dir: string;
  config?: string;
  endpoint?: string;
  team?: string;
  key?: string;
}

async function evalCommand(opts: EvalOptions, io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  if (opts.endpoint !== undefined && !ENDPOINTS.some((e) => e === opts.endpoint)) {
    throw new CliError(`--endpoint: expected ${ENDPOINTS.join(', ')}, got '${opts.endpoint}'`);
  }
  const sources = readSources(io, opts.dir, '--dir');
  if (!sources) return 1;
  const config = opts.config ? (await configSource(opts.config).load()).config : undefined;
  const raw = readInput(opts.input);
  const input = toInput(raw, opts, config);
  const check = policyInputSchema.safeParse(input);
  if (!check.success) {
    for (const i of check.error.issues) io.err(`warning: input.${i.path.join('.')}: ${i.message}`);
  }
  const merged = mergeSources(sources, config?.policy.data);
  if (!reportProblems(io, merged.errors.map((p) => onDisk(sources, p)))) return 1;
  const files: RegoFiles = {};
  for (const [path, text] of Object.entries(sources.files)) if (!isTestFile(path)) files[path] = text;

  // Started now: the rules below need OPA's evaluator even when the wasm comes from the cache.
  const starting = createRegoCompiler();
  starting.catch(() => undefined); // awaited below; not unhandled while the cache is read
  try {
    // A policy `policy check` (or the build) compiled and tested before; eval compiles the same
    // files with the same own data and entrypoint, so its wasm is the one a compile would give.
    const own = mergeSources(sources).data;
    const cached = (await userCompileCache(env)).get(await compileKey(sources, own, DEFAULT_ENTRYPOINT));
    const compiled = cached ? { ok: true as const, wasm: cached.wasm } : await (await starting).compile({ files, data: own, entrypoints: [DEFAULT_ENTRYPOINT], schemas: gatewaySchemas(DEFAULT_ENTRYPOINT) });
    if (!compiled.ok) {
      reportProblems(io, compiled.errors.map((p) => onDisk(sources, p)));
      return 1;
    }
    const compiler = await starting;
    const engine = await createPolicyEngine({ wasm: compiled.wasm, data: merged.data });
    const result = engine.evaluate(input);
    io.out(JSON.stringify(result.decision, null, 2));
    if (result.failure) io.err(`\npolicy failure (${result.failure.kind}): ${result.failure.detail}`);
    for (const r of result.decision.reasons ?? []) io.out(`reason: ${r}`);

    // OPA's own evaluator, for every rule of the package: the values the decision was built from.
    const pkg = 'data.' + DEFAULT_ENTRYPOINT.split('/').slice(0, -1).join('.');
    const rules = await compiler.eval({ files, data: merged.data, query: pkg, input: JSON.parse(JSON.stringify(input)) });
    if (rules.defined && rules.result && typeof rules.result === 'object' && !Array.isArray(rules.result)) {
      io.out(`\nrules (${pkg}, evaluated by OPA):`);
      for (const [name, value] of Object.entries(rules.result).sort(([a], [b]) => a.localeCompare(b))) {
        if (name !== 'decision') io.out(`  ${name} = ${JSON.stringify(value)}`);
      }
    } else if (rules.errors.length > 0 || rules.error) {
      io.err(`OPA evaluation: ${rules.error ?? rules.errors.map((p) => formatProblem(onDisk(sources, p))).join('; ')}`);
    }
    return 0;
  } finally {
    await starting.then((c) => c.close(), () => undefined);
  }
}

const ENDPOINTS = ['chat.completions', 'messages', 'embeddings', 'completions'] as const;

function readInput(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`--input ${file}: cannot read it (${errorCode(e)}); give a JSON policy input document or client request body (tollgate init writes a sample req.json)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--input ${file}: not valid JSON (${e instanceof Error ? e.message : String(e)}); fix the file`);
  }
  const [inexact] = inexactNumbers(text, 1);
  if (inexact) {
    throw new CliError(`--input ${file}:${inexact.line}: the number ${inexact.text} would reach the policy as ${inexact.parsed} (JSON numbers beyond 2^53 or 17 significant digits lose digits here, where OPA keeps them); write it as a string`);
  }
  return parsed;
}

function errorCode(e: unknown): string {
  return e && typeof e === 'object' && 'code' in e ? String(e.code) : e instanceof Error ? e.message : String(e);
}

/** A client request body, checked against the endpoint's schema; a mismatch names the field. */
function parseBody<S extends z.ZodType>(schema: S, body: object, endpoint: string, opts: EvalOptions): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  const guess = opts.endpoint ? '' : ` (guessed from its fields; pass --endpoint ${ENDPOINTS.filter((e) => e !== endpoint).join(' or ')} if it is another kind)`;
  throw new CliError(`--input ${opts.input}: not a valid ${endpoint} request body: ${where}${issue.message}${guess}`);
}

/** A file with `request` is an input document; otherwise it is a client request body. */
function toInput(raw: unknown, opts: EvalOptions, config: GatewayConfig | undefined): PolicyInput {
  const providers: Record<string, PolicyProvider> = {};
  for (const [name, p] of Object.entries(config?.providers ?? {})) {
    providers[name] = { healthy: true, error_rate: 0, p50_ms: null, data_residency: p.data_residency, type: p.type };
  }
  if (raw && typeof raw === 'object' && 'request' in raw) return { providers, ...raw } as PolicyInput;
  const body = raw && typeof raw === 'object' ? raw : {};
  // Only a guess: an Anthropic body without `system` looks like an OpenAI one; --endpoint decides.
  const endpoint = opts.endpoint ?? ('input' in body ? 'embeddings' : 'prompt' in body ? 'completions' : 'system' in body ? 'messages' : 'chat.completions');
  const common = { headers: new Headers(), now: new Date(), providers, key: { team: opts.team ?? null, name: opts.key ?? null } };
  const entry = config ? buildCatalog(config).resolve(String('model' in body ? body.model : '')) : undefined;
  const catalogTarget = entry ? { provider: entry.model.provider, model: entry.model.model } : null;
  switch (endpoint) {
    case 'embeddings':
      return buildInput({ ...common, catalogTarget, endpoint, body: parseBody(embeddingsRequest, body, endpoint, opts) });
    case 'messages':
      return buildInput({ ...common, catalogTarget, endpoint, body: parseBody(messagesRequest, body, endpoint, opts) });
    case 'chat.completions':
      return buildInput({ ...common, catalogTarget, endpoint, body: parseBody(chatRequest, body, endpoint, opts) });
    case 'completions':
      return buildInput({ ...common, catalogTarget, endpoint, body: parseBody(completionsRequest, body, endpoint, opts) });
    default:
      throw new Error(`unknown endpoint '${endpoint}' (${ENDPOINTS.join(', ')})`);
  }
}
