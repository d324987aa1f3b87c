/**
 * OPA's wasm policy ABI (1.2+), as the gateway drives it: instantiate a compiled policy, load its
 * data, evaluate an entrypoint and read the result as OPA value text (sets kept as sets, numbers
 * digit for digit). Every builtin the module imports (those OPA's wasm compiler does not build in)
 * is answered by a `BuiltinHost`: OPA's own Go implementation in the embedded Go program, so the
 * answers are OPA's. This replaces @open-policy-agent/opa-wasm's loader, whose JavaScript
 * sprintf/yaml differ from OPA and whose JSON.parse rounds big numbers.
 */

/** Answers one builtin call: Rego value text in and out, null for undefined; throws to fail the evaluation. */
export interface BuiltinHost {
  call(name: string, operands: string[], evaluation: EvaluationClock): string | null;
  /** Settles when the host is gone (its runtime exited): a new one is acquired. */
  readonly closed?: Promise<unknown>;
}

/** The one timestamp (and number) of an evaluation: every builtin call in it sees the same time.now_ns. */
export interface EvaluationClock {
  readonly seq: number;
  /** Nanoseconds since the epoch, as decimal text. */
  readonly nowNs: string;
}

interface PolicyExports {
  memory?: WebAssembly.Memory;
  opa_malloc(n: number): number;
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(p: number): void;
  opa_json_parse(p: number, n: number): number;
  opa_value_parse(p: number, n: number): number;
  opa_value_dump(v: number): number;
  opa_json_dump(v: number): number;
  opa_eval(reserved: number, entrypoint: number, data: number, input: number, inputLen: number, heap: number, wantValue: number): number;
  opa_eval_ctx_new(): number;
  opa_eval_ctx_set_input(ctx: number, v: number): void;
  opa_eval_ctx_set_data(ctx: number, v: number): void;
  opa_eval_ctx_set_entrypoint(ctx: number, entrypoint: number): void;
  opa_eval_ctx_get_result(ctx: number): number;
  opa_value_add_path(base: number, path: number, v: number): number;
  eval(ctx: number): number;
  builtins(): number;
  entrypoints(): number;
}

export interface OpaInstance {
  readonly entrypoints: Record<string, number>;
  /** Builtins the module calls through the host, by name. */
  readonly hostBuiltins: string[];
  readonly wasmInstance: WebAssembly.Instance;
  setData(json: Uint8Array): void;
  /** Evaluates with `input` (JSON or Rego value text; undefined: no input) and returns the result set's value text. */
  evaluate(input: Uint8Array | undefined, entrypoint: number): string;
  /**
   * Evaluates with `json` (the input document's JSON text) encoded straight into the module's
   * memory: no intermediate bytes. Returns the result set's value text, or the encoded length
   * when it is over `maxBytes` (the policy is not run).
   */
  evaluateJson(json: string, maxBytes: number, entrypoint: number): string | { tooLarge: number };
  /**
   * Parses `members` (top-level members of the input document: name and JSON text) into memory
   * kept beside the data, unless exactly these are kept already. Returns the bytes they add to
   * the whole document's JSON text (`,"name":text` each); over `maxBytes`, nothing is kept.
   */
  keep(members: readonly (readonly [string, string])[], maxBytes: number): number;
  /** Counts the times `keep` parsed members anew (setData forgets them too). */
  readonly keptSince: number;
  /**
   * `evaluateJson` of the document `rest` (an object's JSON text, without the kept members'
   * names) with the kept members added: the same answer as the whole document's, with only
   * `rest` parsed. `maxBytes` applies to the whole document.
   */
  evaluateWithKept(rest: string, maxBytes: number, entrypoint: number): string | { tooLarge: number };
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

function cString(memory: WebAssembly.Memory, addr: number): string {
  const bytes = new Uint8Array(memory.buffer);
  const end = bytes.indexOf(0, addr);
  return utf8.decode(bytes.subarray(addr, end < 0 ? bytes.length : end));
}

/** Imports needed before instantiation; the instance is bound afterwards. */
function imports(memory: WebAssembly.Memory, onBuiltin: (id: number, args: number[]) => number): WebAssembly.Imports {
  return {
    env: {
      memory,
      opa_abort: (addr: number) => {
        throw new Error(cString(memory, addr));
      },
      opa_println: () => undefined, // print() is erased at compile time
      opa_builtin0: (id: number) => onBuiltin(id, []),
      opa_builtin1: (id: number, _ctx: number, a: number) => onBuiltin(id, [a]),
      opa_builtin2: (id: number, _ctx: number, a: number, b: number) => onBuiltin(id, [a, b]),
      opa_builtin3: (id: number, _ctx: number, a: number, b: number, c: number) => onBuiltin(id, [a, b, c]),
      opa_builtin4: (id: number, _ctx: number, a: number, b: number, c: number, d: number) => onBuiltin(id, [a, b, c, d]),
    },
  };
}

function abiMinor(instance: WebAssembly.Instance): number {
  const g = (name: string): number => {
    const v = instance.exports[name];
    return v instanceof WebAssembly.Global ? Number(v.value) : -1;
  };
  if (g('opa_wasm_abi_version') !== 1) throw new Error(`unsupported OPA wasm ABI version ${g('opa_wasm_abi_version')}`);
  return g('opa_wasm_abi_minor_version');
}

let evaluations = 0;

/**
 * Instantiates `module` in `memory`. `host` is asked for only when the module calls builtins
 * through the host (`hostBuiltins` non-empty); it may be undefined otherwise.
 */
export function instantiateOpa(module: WebAssembly.Module, memory: WebAssembly.Memory, host: () => BuiltinHost | undefined, now: () => number = Date.now): OpaInstance {
  let exports: PolicyExports | undefined;
  let names: Record<number, string> = {};
  let clock: EvaluationClock | undefined;
  let currentSeq = 0;

  const readValue = (addr: number): string => cString(memory, (exports as PolicyExports).opa_value_dump(addr));
  const writeValue = (text: string): number => {
    const ex = exports as PolicyExports;
    const bytes = encoder.encode(text);
    const p = ex.opa_malloc(bytes.length);
    new Uint8Array(memory.buffer).set(bytes, p);
    const v = ex.opa_value_parse(p, bytes.length);
    if (v === 0) throw new Error(`the builtin host returned a value the policy cannot parse: ${text.slice(0, 200)}`);
    return v;
  };
  const onBuiltin = (id: number, args: number[]): number => {
    const name = names[id] ?? `#${id}`;
    const h = host();
    if (!h) throw new Error(`builtin ${name} needs the builtin host, which is not loaded`);
    clock ??= { seq: currentSeq, nowNs: (BigInt(Math.floor(now())) * 1_000_000n).toString() };
    const out = h.call(name, args.map(readValue), clock);
    return out === null ? 0 : writeValue(out);
  };

  const wasmInstance = new WebAssembly.Instance(module, imports(memory, onBuiltin));
  exports = wasmInstance.exports as unknown as PolicyExports;
  if (abiMinor(wasmInstance) < 2) throw new Error('the policy module is older than OPA wasm ABI 1.2');
  const ex = exports;
  const dumpJson = (addr: number): unknown => JSON.parse(cString(memory, ex.opa_json_dump(addr)));
  const builtinIds = dumpJson(ex.builtins()) as Record<string, number>;
  names = Object.fromEntries(Object.entries(builtinIds).map(([n, id]) => [id, n]));
  const entrypoints = dumpJson(ex.entrypoints()) as Record<string, number>;

  const parseJsonAt = (json: Uint8Array): number => {
    const p = ex.opa_malloc(json.length);
    new Uint8Array(memory.buffer).set(json, p);
    const v = ex.opa_json_parse(p, json.length);
    if (v === 0) throw new Error('failed to parse json value');
    return v;
  };
  /** `n` bytes of memory at `at`, grown into when needed. */
  const roomAt = (at: number, n: number): Uint8Array => {
    const missing = at + n - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
    return new Uint8Array(memory.buffer, at, n);
  };
  /** `n` bytes of memory at the heap's start (past the data and the kept members). */
  const roomAtHeap = (n: number): Uint8Array => roomAt(evalHeap, n);
  const startEvaluation = (): void => {
    currentSeq = ++evaluations;
    clock = undefined;
  };
  /** One evaluation of the input at `addr` (`len` bytes; 0 for none): a fresh clock, then the result set's value text. */
  const evalInput = (entrypoint: number, addr: number, len: number): string => {
    startEvaluation();
    return cString(memory, ex.opa_eval(0, entrypoint, dataAddr, addr, len, evalHeap + len, 1));
  };
  let dataAddr = parseJsonAt(encoder.encode('{}'));
  const baseHeap = ex.opa_heap_ptr_get();
  let dataHeap = baseHeap;

  // Kept members (keep): parsed once into memory between the data and the evaluation heap, which
  // every evaluation resets to its start, so they live as long as the data does. Rego values are
  // immutable and an evaluation frees nothing it did not allocate: the same holds of the data.
  let kept: { name: string; text: string; path: number; value: number }[] = [];
  let keptBytes = 0;
  let evalHeap = dataHeap;
  /**
   * Parses `text` where the heap pointer is (its UTF-8 stays there, below the value), unless it
   * is more than `room` bytes: then only its size so far (over `room`) is returned.
   */
  const parseAtHeapPointer = (text: string, room: number): { value: number; bytes: number } => {
    const at = ex.opa_heap_ptr_get();
    const { read, written } = encoder.encodeInto(text, roomAt(at, Math.max(0, Math.min(text.length * 3, room + 1))));
    if (read < text.length || written > room) return { value: 0, bytes: Math.max(written, room + 1) };
    ex.opa_heap_ptr_set(at + written);
    const value = ex.opa_value_parse(at, written);
    if (value === 0) throw new Error('failed to parse json value');
    return { value, bytes: written };
  };
  let keptSince = 0;
  const forgetKept = (): void => {
    keptSince++;
    kept = [];
    keptBytes = 0;
    evalHeap = dataHeap;
  };

  return {
    entrypoints,
    get keptSince() {
      return keptSince;
    },
    hostBuiltins: Object.keys(builtinIds),
    wasmInstance,
    setData(json) {
      ex.opa_heap_ptr_set(baseHeap);
      dataAddr = parseJsonAt(json);
      dataHeap = ex.opa_heap_ptr_get();
      forgetKept();
    },
    keep(members, maxBytes) {
      if (members.length === kept.length && members.every(([name, text], i) => kept[i]?.name === name && kept[i]?.text === text)) return keptBytes;
      forgetKept();
      ex.opa_heap_ptr_set(dataHeap);
      const next: typeof kept = [];
      let bytes = 0;
      for (const [name, text] of members) {
        // Encoded within what is left of the limit, so a member over it is never parsed.
        const path = parseAtHeapPointer(`[${JSON.stringify(name)}]`, maxBytes - bytes);
        bytes += path.bytes; // `,"name":` is as long as `["name"]`
        const value = path.value === 0 ? path : parseAtHeapPointer(text, maxBytes - bytes);
        bytes += value.bytes;
        if (value.value === 0) {
          ex.opa_heap_ptr_set(dataHeap);
          return bytes;
        }
        next.push({ name, text, path: path.value, value: value.value });
      }
      kept = next;
      keptBytes = bytes;
      evalHeap = ex.opa_heap_ptr_get();
      return bytes;
    },
    evaluateWithKept(rest, maxBytes, entrypoint) {
      const { read, written } = encoder.encodeInto(rest, roomAtHeap(Math.min(rest.length * 3, maxBytes + 1)));
      const whole = (n: number) => n + keptBytes - (kept.length > 0 && rest === '{}' ? 1 : 0); // rest `{}`: no comma before the first member
      if (read < rest.length) return { tooLarge: whole(encoder.encode(rest).length) };
      if (whole(written) > maxBytes) return { tooLarge: whole(written) };
      startEvaluation();
      ex.opa_heap_ptr_set(evalHeap + written);
      const input = ex.opa_value_parse(evalHeap, written);
      if (input === 0) throw new Error('failed to parse json value');
      for (const k of kept) if (ex.opa_value_add_path(input, k.path, k.value) !== 0) throw new Error(`could not add the kept input member ${k.name}`);
      const ctx = ex.opa_eval_ctx_new();
      ex.opa_eval_ctx_set_input(ctx, input);
      ex.opa_eval_ctx_set_data(ctx, dataAddr);
      ex.opa_eval_ctx_set_entrypoint(ctx, entrypoint);
      if (ex.eval(ctx) !== 0) throw new Error('eval failed');
      return cString(memory, ex.opa_value_dump(ex.opa_eval_ctx_get_result(ctx)));
    },
    evaluate(input, entrypoint) {
      if (!input) return evalInput(entrypoint, 0, 0);
      roomAtHeap(input.length).set(input);
      return evalInput(entrypoint, evalHeap, input.length);
    },
    evaluateJson(json, maxBytes, entrypoint) {
      // UTF-8 needs at most 3 bytes per UTF-16 unit: make room for that (capped at the limit + 1,
      // enough to tell an input over it), then encode in place.
      const { read, written } = encoder.encodeInto(json, roomAtHeap(Math.min(json.length * 3, maxBytes + 1)));
      if (read < json.length || written > maxBytes) return { tooLarge: read < json.length ? encoder.encode(json).length : written };
      return evalInput(entrypoint, evalHeap, written);
    },
  };
}
