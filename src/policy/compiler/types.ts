/** Rego sources keyed by file path (the path appears in error locations). */
export type RegoFiles = Record<string, string>;

/** JSON value as exchanged with OPA. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface RegoProblem {
  file: string;
  /** 1-based; 0 when the problem has no source location. */
  line: number;
  col: number;
  /** OPA error code, e.g. rego_parse_error, rego_type_error, rego_unsupported_builtin_error. */
  code?: string;
  message: string;
}

export interface SourcesRequest {
  files: RegoFiles;
  /** Base document, visible as `data` (must be an object). */
  data?: Record<string, Json>;
  /** JSON Schemas compile, check and test type-check against (see op_schemas.go). */
  schemas?: SchemaRequest;
}

/** The input schema (OPA's global `input` schema) and the decision schema of an entrypoint. */
export interface SchemaRequest {
  input?: Json;
  /** Names the input schema in messages. */
  inputName?: string;
  decision?: { path: string; schema: Json };
}

export interface TestRequest extends SourcesRequest {
  /** Report coverage, as `opa test --coverage`. */
  coverage?: boolean;
}

/** A source range, as OPA's cover package reports it. */
export interface CoverageRange {
  start: { row: number; col?: number };
  end: { row: number; col?: number };
  /** Why a not-covered range was covered with rule indexing or early exit off. */
  kinds?: string[];
}

export interface CoverageFileReport {
  covered?: CoverageRange[];
  not_covered?: CoverageRange[];
  covered_lines?: number;
  not_covered_lines?: number;
  coverage?: number;
}

/** OPA's coverage report (`opa test --coverage` prints this JSON). */
export interface CoverageReport {
  files: Record<string, CoverageFileReport>;
  covered_lines: number;
  not_covered_lines: number;
  coverage: number;
}

export interface CompileRequest extends SourcesRequest {
  /** e.g. ["gateway/decision"] */
  entrypoints: string[];
  /**
   * Extra builtins the WASM host implements. Every builtin OPA implements in Go is already
   * allowed (the builtin host runs it; see docs/policy-builtins.md), except the refused ones.
   */
  hostBuiltins?: string[];
}

export type CompileResult =
  | { ok: true; wasm: Uint8Array; revision: string }
  | { ok: false; errors: RegoProblem[] };

export interface CheckResult {
  ok: boolean;
  errors: RegoProblem[];
}

export interface RegoTestResult {
  package: string;
  name: string;
  pass: boolean;
  skip?: boolean;
  fail_reason?: string;
  /** Captured print() output. */
  output?: string;
  duration_ns: number;
  location?: { file: string; line: number; col: number };
}

export interface TestRunResult {
  /** True when every test passed (or was skipped) and nothing failed to compile. */
  ok: boolean;
  results: RegoTestResult[];
  errors: RegoProblem[];
  /** With `coverage: true`. */
  coverage?: CoverageReport;
}

export interface EvalRequest extends SourcesRequest {
  /** e.g. "data.gateway.decision" */
  query: string;
}

/** One evaluation by OPA's own evaluator; `defined: false` means undefined. */
export interface EvalOutcome {
  defined: boolean;
  result?: Json;
  error?: string;
}

export interface EvalResult extends EvalOutcome {
  ok: boolean;
  errors: RegoProblem[];
}

export interface EvalBatchResult {
  ok: boolean;
  results: EvalOutcome[];
  errors: RegoProblem[];
}

/** A rule whose body succeeded while evaluating (`explain`). */
export interface FiredRule {
  rule: string;
  location: { file: string; line: number; col: number };
  default?: boolean;
  times: number;
}

export interface ExplainResult extends EvalResult {
  /** In the order they first succeeded. */
  rules: FiredRule[];
  /** OPA's pretty trace of the relevant events (as `opa eval --explain=full`). */
  trace: string;
}

export interface RegoCompiler {
  compile(req: CompileRequest): Promise<CompileResult>;
  check(req: SourcesRequest): Promise<CheckResult>;
  test(req: TestRequest): Promise<TestRunResult>;
  eval(req: EvalRequest & { input?: Json }): Promise<EvalResult>;
  evalBatch(req: EvalRequest & { inputs: Json[] }): Promise<EvalBatchResult>;
  /** One evaluation by OPA's evaluator with its tracer on. */
  explain(req: EvalRequest & { input?: Json }): Promise<ExplainResult>;
  /** Bytes of the Go runtime's linear memory. */
  memoryBytes(): number;
  /** Stops the Go runtime; later calls reject. Idempotent. */
  close(): Promise<void>;
}
