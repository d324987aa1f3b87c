import { silentLogger, type Logger } from '../lib/logger.ts';
import { parseDecision, withDenyDefaults, type Decision } from './decision.ts';
import type { PolicyInput } from './input-schema.ts';
import { isPlainObject } from './input-projection.ts';
import { decodeResultSet } from './opa-value.ts';
import { instantiatePolicy, type FuelledPolicy } from './wasm-policy.ts';

/**
 * Evaluates a compiled OPA wasm policy, failing closed: an undefined result, a malformed
 * decision, an input too large, an evaluation error, running out of memory or out of fuel all
 * become `allowed: false` with status 500 and a log line. Nothing throws to the caller.
 */

export const DEFAULT_ENTRYPOINT = 'gateway/decision';

export type PolicyFailureKind =
  | 'undefined'
  | 'invalid_decision'
  | 'input_too_large'
  | 'input_unserializable'
  | 'out_of_memory'
  | 'out_of_fuel'
  | 'evaluation_error';

export interface PolicyEvaluation {
  decision: Decision;
  /** Unique per evaluation; logged and returned to the client so a deny can be traced. */
  decision_id: string;
  /** sha256 of the policy wasm. */
  revision: string;
  eval_us: number;
  /** Present when the deny comes from a failure rather than from the policy. */
  failure?: { kind: PolicyFailureKind; detail: string };
}

/** The raw result of one evaluation (for the differential test and the CLI). */
export type RawOutcome = { ok: true; defined: boolean; result?: unknown } | { ok: false; kind: PolicyFailureKind; detail: string };

export interface PolicyEngineOptions {
  /** The policy module as built by the compiler or `opa build -t wasm`. */
  wasm: Uint8Array;
  /** Defaults to the sha256 of `wasm`. */
  revision?: string;
  data?: Record<string, unknown>;
  logger?: Logger;
  entrypoint?: string;
  /** Serialized input documents above this are denied (default 64 KiB). */
  maxInputBytes?: number;
  /** The policy's linear memory cannot grow past this (default 64 MiB). */
  maxMemoryBytes?: number;
  /** Loop iterations one evaluation may run (default 20 million, about 80 ms). */
  fuel?: number;
  /** Wall clock (ms since the epoch) for time.now_ns, read once per evaluation; default Date.now. */
  now?: () => number;
}

export interface PolicyEngine {
  readonly revision: string;
  evaluate(input: PolicyInput): PolicyEvaluation;
  evaluateRaw(input: unknown): RawOutcome;
  /** Replaces `data`. Throws if it does not fit in the policy's memory (a load-time error). */
  setData(data: Record<string, unknown>): void;
}

export const DEFAULT_MAX_INPUT_BYTES = 64 * 1024;
export const DEFAULT_MAX_MEMORY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_FUEL = 20_000_000;
/** Distinct decision texts an engine keeps decoded (see `decided`), and the longest text kept. */
const MAX_DECIDED = 512;
const MAX_DECIDED_TEXT = 4096;

type Decided = { ok: true; decision: Decision } | { ok: false; kind: PolicyFailureKind; detail: string };

/** Top-level input members that change seldom: see `lastText` in createPolicyEngine. */
const STEADY_MEMBERS = ['providers', 'time', 'key'];

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

export async function createPolicyEngine(opts: PolicyEngineOptions): Promise<PolicyEngine> {
  const {
    wasm,
    revision = new Bun.CryptoHasher('sha256').update(wasm).digest('hex'),
    logger = silentLogger,
    entrypoint = DEFAULT_ENTRYPOINT,
    maxInputBytes = DEFAULT_MAX_INPUT_BYTES,
    maxMemoryBytes = DEFAULT_MAX_MEMORY_BYTES,
    fuel = DEFAULT_FUEL,
  } = opts;
  const encoder = new TextEncoder();
  let dataJson = encoder.encode(JSON.stringify(opts.data ?? {}));
  const load = await instantiatePolicy(wasm, maxMemoryBytes, { now: opts.now });
  let policy: FuelledPolicy = load(dataJson);
  const entry = policy.entrypoints[entrypoint];
  if (entry === undefined) {
    throw new Error(`policy has no entrypoint '${entrypoint}' (it has: ${Object.keys(policy.entrypoints).join(', ') || 'none'})`);
  }

  /** A failed evaluation may leave the instance's memory grown or its state half-written: start afresh. */
  function replaceInstance(): void {
    try {
      policy = load(dataJson);
    } catch (e) {
      logger.error('policy instance could not be recreated; keeping the old one', { revision, error: String(e) });
    }
  }

  /**
   * Members of the input that stay the same across many requests (provider facts change at most
   * every 250 ms, a key's facts with the caller, time every hour when the policy reads only its
   * hour and weekday, not its rfc3339) and their text last time: one
   * seen twice in a row stays parsed in the policy's memory, so an evaluation parses only the rest
   * (parsing is most of an evaluation's cost). The answer is the same either way.
   */
  const lastText = new Map<string, string>();

  /** The input document as the policy's JSON: all of it, or the rest and the members that repeat. */
  function serialise(input: unknown): { json: string } | { rest: string; members: [string, string][]; units: number } | undefined {
    const doc = policy.projectInput ? policy.projectInput(input) : input;
    if (!isPlainObject(doc) || Object.hasOwn(doc, 'toJSON')) {
      const json = JSON.stringify(doc);
      return json === undefined ? undefined : { json };
    }
    let rest: Record<string, unknown> | undefined;
    const members: [string, string][] = [];
    let units = 0;
    for (const name of STEADY_MEMBERS) {
      const v = doc[name];
      // What JSON.stringify(doc) would leave out or write otherwise stays in the rest.
      if (!Object.prototype.propertyIsEnumerable.call(doc, name) || (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function')) continue;
      const text = JSON.stringify(v);
      if (text === undefined) continue;
      if (lastText.get(name) !== text) {
        lastText.set(name, text);
        continue;
      }
      rest ??= { ...doc };
      delete rest[name];
      members.push([name, text]);
      units += name.length + 4 + text.length; // ,"name":text
    }
    if (!rest) return { json: JSON.stringify(doc) };
    const json = JSON.stringify(rest);
    return { rest: json, members, units: units + json.length - (json === '{}' ? 1 : 0) };
  }

  /** One run of the policy: the result set's value text, or why there is none. */
  function run(input: unknown): { ok: true; text: string } | { ok: false; kind: PolicyFailureKind; detail: string } {
    let doc: ReturnType<typeof serialise>;
    try {
      doc = serialise(input);
    } catch (e) {
      return { ok: false, kind: 'input_unserializable', detail: String(e) };
    }
    if (doc === undefined) return { ok: false, kind: 'input_unserializable', detail: 'input is not JSON' };
    // Bytes >= UTF-16 units, so the length check can skip encoding a hopeless input (and counts
    // its bytes only to say how many).
    const units = 'json' in doc ? doc.json.length : doc.units;
    if (units > maxInputBytes) return tooLarge('json' in doc ? Buffer.byteLength(doc.json) : doc.members.reduce((n, [name, text]) => n + Buffer.byteLength(name) + 4 + Buffer.byteLength(text), Buffer.byteLength(doc.rest)) - (doc.rest === '{}' ? 1 : 0));
    try {
      policy.fuel.value = fuel;
      if ('rest' in doc) {
        const out = policy.evaluateWithMembers(doc.rest, doc.members, maxInputBytes, entry);
        if (typeof out === 'string') return { ok: true, text: out };
        // Over the limit: the whole document's exact size, as below.
        doc = { json: JSON.stringify(policy.projectInput ? policy.projectInput(input) : input) };
        policy.fuel.value = fuel;
      }
      const out = policy.evaluateJson(doc.json, maxInputBytes, entry);
      if (typeof out !== 'string') return tooLarge(out.tooLarge);
      return { ok: true, text: out };
    } catch (e) {
      return failed(e);
    }
  }

  function failed(e: unknown): { ok: false; kind: PolicyFailureKind; detail: string } {
    const outOfFuel = policy.fuel.value === 0;
    const detail = typeof e === 'string' ? e : e instanceof Error ? e.message : String(e);
    replaceInstance();
    if (outOfFuel) return { ok: false, kind: 'out_of_fuel', detail: `evaluation ran more than ${fuel} loop iterations` };
    if (/opa_malloc|out of memory|Out of memory|grow/i.test(detail)) return { ok: false, kind: 'out_of_memory', detail: `evaluation needed more than ${maxMemoryBytes} bytes: ${detail}` };
    return { ok: false, kind: 'evaluation_error', detail };
  }

  /** The result set's text decoded: undefined, one result, or an error (several results, a number too big to keep). */
  function decode(text: string): RawOutcome {
    let rs: unknown;
    try {
      rs = decodeResultSet(text);
    } catch (e) {
      return { ok: false, kind: 'evaluation_error', detail: e instanceof Error ? e.message : String(e) };
    }
    if (!Array.isArray(rs) || rs.length === 0) return { ok: true, defined: false };
    if (rs.length > 1) return { ok: false, kind: 'evaluation_error', detail: `the entrypoint produced ${rs.length} results` };
    const first: unknown = rs[0];
    const result = first && typeof first === 'object' && 'result' in first ? first.result : undefined;
    return { ok: true, defined: true, result };
  }

  function evaluateRaw(input: unknown): RawOutcome {
    const r = run(input);
    return r.ok ? decode(r.text) : r;
  }

  function tooLarge(n: number): { ok: false; kind: PolicyFailureKind; detail: string } {
    return { ok: false, kind: 'input_too_large', detail: `the input document is ${n} bytes; the limit is ${maxInputBytes}` };
  }

  /**
   * Decisions by the result text they were decoded from. Requests of one team mostly get the
   * same answer, so decoding and schema-checking it once is enough: the text determines the
   * decision. Entries are deep-frozen (a consumer cannot change a later request's decision) and
   * the map is bounded: at most MAX_DECIDED texts of at most MAX_DECIDED_TEXT characters (a
   * policy echoing its input into reasons makes every text unique; those are decoded each time).
   */
  const decided = new Map<string, Decided>();

  function decisionOf(text: string): Decided {
    const known = decided.get(text);
    if (known) return known;
    const raw = decode(text);
    let out: Decided;
    if (!raw.ok) out = { ok: false, kind: raw.kind, detail: raw.detail };
    else if (!raw.defined) out = { ok: false, kind: 'undefined', detail: `${entrypoint} is undefined for this input (a policy must always define it)` };
    else {
      const parsed = parseDecision(raw.result);
      out = parsed.ok ? { ok: true, decision: deepFreeze(withDenyDefaults(parsed.decision)) } : { ok: false, kind: 'invalid_decision', detail: parsed.error };
    }
    if (text.length > MAX_DECIDED_TEXT) return out;
    if (decided.size >= MAX_DECIDED) decided.clear();
    decided.set(text, out);
    return out;
  }

  function evaluate(input: PolicyInput): PolicyEvaluation {
    const started = performance.now();
    const decision_id = crypto.randomUUID();
    const r = run(input);
    const d = r.ok ? decisionOf(r.text) : r;
    const eval_us = Math.round((performance.now() - started) * 1000);
    if (!d.ok) {
      logger.error('policy evaluation failed; request denied', { decision_id, revision, kind: d.kind, detail: d.detail });
      const decision: Decision = {
        allowed: false,
        http_status: 500,
        message: `The gateway policy could not decide on this request (${d.kind}); it was denied. Decision id: ${decision_id}.`,
        reasons: [`policy failure (${d.kind}): ${d.detail}`],
      };
      return { decision, decision_id, revision, eval_us, failure: { kind: d.kind, detail: d.detail } };
    }
    if (!d.decision.allowed) {
      logger.debug('policy denied the request', { decision_id, revision, status: d.decision.http_status, reasons: d.decision.reasons });
    }
    return { decision: d.decision, decision_id, revision, eval_us };
  }

  return {
    revision,
    evaluate,
    evaluateRaw,
    setData(data) {
      const next = encoder.encode(JSON.stringify(data));
      policy = load(next); // throws if it does not fit; the old instance keeps serving
      dataJson = next;
    },
  };
}
