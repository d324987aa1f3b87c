/**
 * A faster rule memo for OPA wasm policies. OPA's C runtime memoizes each rule's value per
 * evaluation in an object keyed by the rule's index as a number value (memoize.c): every lookup
 * hashes and compares a number, every insert allocates one and may grow the table. On the default
 * policies that is about a third of an evaluation. The compiler emits each lookup and insert
 * with a constant index, so this rewrite replaces the five memo functions with an array of
 * `count` slots indexed directly (slot 0 = not memoized, as NULL was), the same behaviour:
 * `push` (for `with`) starts an empty table above the current one and `pop` returns to it.
 * Popped tables are reused, so `with` in a loop takes no more memory than OPA's runtime.
 *
 * A module whose memo functions are missing, differ in type, or are called other than with a
 * constant index is returned unchanged. Out-of-range indexes (none are emitted) miss.
 */
import { appendGlobal, importCounts, leb, mapBodies, Reader, readSections, sleb, skipImmediates, type Section, writeModule } from './wasm-code.ts';

const MEMO = ['opa_memoize_init', 'opa_memoize_push', 'opa_memoize_pop', 'opa_memoize_insert', 'opa_memoize_get'] as const;
type MemoFn = (typeof MEMO)[number];
const I32 = 0x7f;
const SIGNATURES: Record<MemoFn, string> = { opa_memoize_init: '->', opa_memoize_push: '->', opa_memoize_pop: '->', opa_memoize_insert: '127,127->', opa_memoize_get: '127->127' };

function functionNames(sections: readonly Section[]): Map<string, number> {
  const names = new Map<string, number>();
  for (const s of sections) {
    if (s.id !== 0) continue;
    const r = new Reader(s.payload);
    const name = new TextDecoder().decode(r.bytes.subarray(r.pos + 1, r.pos + 1 + r.bytes[r.pos]!));
    if (name !== 'name') continue;
    r.pos += 1 + name.length;
    while (r.pos < s.payload.length) {
      const sub = r.byte();
      const size = r.u32();
      const end = r.pos + size;
      if (sub === 1) {
        for (let n = r.u32(); n > 0; n--) {
          const index = r.u32();
          const len = r.u32();
          names.set(new TextDecoder().decode(r.bytes.subarray(r.pos, r.pos + len)), index);
          r.skip(len);
        }
      }
      r.pos = end;
    }
  }
  return names;
}

/** Each function type's signature as "params->results" (value type bytes). */
function typeSignatures(sections: readonly Section[]): string[] {
  const types = sections.find((s) => s.id === 1);
  if (!types) return [];
  const r = new Reader(types.payload);
  const out: string[] = [];
  for (let n = r.u32(); n > 0; n--) {
    if (r.byte() !== 0x60) throw new Error('wasm: a type that is not a function type');
    const params = Array.from({ length: r.u32() }, () => r.byte());
    const results = Array.from({ length: r.u32() }, () => r.byte());
    out.push(`${params.join(',')}->${results.join(',')}`);
  }
  return out;
}

function definedTypes(sections: readonly Section[]): number[] {
  const fns = sections.find((s) => s.id === 3);
  if (!fns) return [];
  const r = new Reader(fns.payload);
  return Array.from({ length: r.u32() }, () => r.u32());
}

function exportedFunction(sections: readonly Section[], wanted: string): number | undefined {
  const ex = sections.find((s) => s.id === 7);
  if (!ex) return undefined;
  const r = new Reader(ex.payload);
  for (let n = r.u32(); n > 0; n--) {
    const len = r.u32();
    const name = new TextDecoder().decode(r.bytes.subarray(r.pos, r.pos + len));
    r.skip(len);
    const kind = r.byte();
    const index = r.u32();
    if (kind === 0 && name === wanted) return index;
  }
  return undefined;
}

function s32(r: Reader): number {
  let result = 0;
  let shift = 0;
  let b: number;
  do {
    b = r.byte();
    result |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return shift < 32 && b & 0x40 ? result | (-1 << shift) : result;
}

/**
 * The largest memo index any call uses, or undefined when a call's index is not a constant:
 * a lookup is `i32.const k; call get`, an insert `i32.const k; local.get v; call insert`.
 */
function largestIndex(code: Uint8Array, get: number, insert: number): number | undefined {
  let largest = -1;
  const cr = new Reader(code);
  for (let count = cr.u32(); count > 0; count--) {
    const size = cr.u32();
    const body = new Reader(code.subarray(cr.pos, cr.pos + size));
    cr.skip(size);
    for (let n = body.u32(); n > 0; n--) (body.skipLeb(), body.skip(1));
    // The last two instructions: opcode and where their immediates start.
    let op1 = -1;
    let at1 = 0;
    let op2 = -1;
    let at2 = 0;
    while (body.pos < body.bytes.length) {
      const op = body.byte();
      const at = body.pos;
      skipImmediates(op, body);
      if (op === 0x10) {
        const callee = new Reader(body.bytes);
        callee.pos = at;
        const f = callee.u32();
        const constAt = f === get && op1 === 0x41 ? at1 : f === insert && op1 === 0x20 && op2 === 0x41 ? at2 : f === get || f === insert ? -1 : undefined;
        if (constAt === -1) return undefined;
        if (constAt !== undefined) {
          const k = new Reader(body.bytes);
          k.pos = constAt;
          const index = s32(k);
          if (index < 0) return undefined;
          largest = Math.max(largest, index);
        }
      }
      op2 = op1;
      at2 = at1;
      op1 = op;
      at1 = at;
    }
  }
  return largest;
}

/** Returns the module with OPA's memo replaced by an indexed one, or the module itself (see above). */
export function indexedMemo(wasm: Uint8Array): Uint8Array {
  const sections = readSections(wasm);
  const names = functionNames(sections);
  const imported = importCounts(sections).functions;
  const types = typeSignatures(sections);
  const defined = definedTypes(sections);
  const malloc = exportedFunction(sections, 'opa_malloc');
  const fn: Partial<Record<MemoFn, number>> = {};
  for (const name of MEMO) {
    const index = names.get(name);
    if (index === undefined) continue;
    if (index < imported || types[defined[index - imported] ?? -1] !== SIGNATURES[name]) return wasm;
    fn[name] = index;
  }
  // push and pop are linked in only for policies that use `with`: both or neither.
  if (fn.opa_memoize_init === undefined || fn.opa_memoize_get === undefined || fn.opa_memoize_insert === undefined || (fn.opa_memoize_push === undefined) !== (fn.opa_memoize_pop === undefined)) return wasm;
  const code = sections.find((s) => s.id === 10);
  if (malloc === undefined || !code) return wasm;
  const largest = largestIndex(code.payload, fn.opa_memoize_get, fn.opa_memoize_insert);
  if (largest === undefined) return wasm;
  const slots = largest + 1;

  // Two mutable i32 globals: the current table and the popped ones kept for reuse (each table
  // is [prev, slot 0 .. slot n-1], i32s).
  const withTable = appendGlobal(sections, [I32, 0x01, 0x41, 0x00, 0x0b]);
  const withSpare = appendGlobal(withTable.sections, [I32, 0x01, 0x41, 0x00, 0x0b]);
  const table = leb(withTable.index);
  const spare = leb(withSpare.index);
  const bytes = 4 + 4 * slots;
  // local 0: the new table. From the spares if there is one, else opa_malloc; then prev := the
  // current table, slots := 0, current := new.
  const pushBody = [
    0x01, 0x01, I32, // one local
    0x23, ...spare, 0x04, 0x40, // if spare
    0x23, ...spare, 0x22, 0x00, 0x28, 0x02, 0x00, 0x24, ...spare, // local0 = spare; spare = spare.prev
    0x05,
    0x41, ...sleb(bytes), 0x10, ...leb(malloc), 0x21, 0x00, // local0 = opa_malloc(bytes)
    0x0b,
    0x20, 0x00, 0x23, ...table, 0x36, 0x02, 0x00, // local0.prev = table
    0x20, 0x00, 0x41, 0x04, 0x6a, 0x41, 0x00, 0x41, ...sleb(bytes - 4), 0xfc, 0x0b, 0x00, // memory.fill(local0 + 4, 0, slots * 4)
    0x20, 0x00, 0x24, ...table, // table = local0
    0x0b,
  ];
  const bodies: Record<MemoFn, number[]> = {
    // A new evaluation: the heap was reset, so no table survives. table = spare = 0, then push.
    opa_memoize_init: [...pushBody.slice(0, 3), 0x41, 0x00, 0x24, ...table, 0x41, 0x00, 0x24, ...spare, ...pushBody.slice(3)],
    opa_memoize_push: pushBody,
    // local0 = table; table = local0.prev; local0.prev = spare; spare = local0
    opa_memoize_pop: [0x01, 0x01, I32, 0x23, ...table, 0x22, 0x00, 0x28, 0x02, 0x00, 0x24, ...table, 0x20, 0x00, 0x23, ...spare, 0x36, 0x02, 0x00, 0x20, 0x00, 0x24, ...spare, 0x0b],
    // if index < slots: table[4 + index * 4] = value
    opa_memoize_insert: [0x00, 0x20, 0x00, 0x41, ...sleb(slots), 0x49, 0x04, 0x40, 0x23, ...table, 0x20, 0x00, 0x41, 0x02, 0x74, 0x6a, 0x20, 0x01, 0x36, 0x02, 0x04, 0x0b, 0x0b],
    // index < slots ? table[4 + index * 4] : 0
    opa_memoize_get: [0x00, 0x20, 0x00, 0x41, ...sleb(slots), 0x49, 0x04, I32, 0x23, ...table, 0x20, 0x00, 0x41, 0x02, 0x74, 0x6a, 0x28, 0x02, 0x04, 0x05, 0x41, 0x00, 0x0b, 0x0b],
  };
  const replaced = new Map<number, Uint8Array>();
  for (const name of MEMO) if (fn[name] !== undefined) replaced.set(fn[name] - imported, new Uint8Array(bodies[name]));
  return writeModule(withSpare.sections.map((s) => (s.id === 10 ? { id: 10, payload: mapBodies(s.payload, (body, i) => replaced.get(i) ?? body) } : s)));
}
