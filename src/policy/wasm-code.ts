/**
 * Reading and writing WebAssembly binaries, as far as the policy module rewrites need
 * (wasm-fuel.ts, wasm-memo.ts): LEB128 numbers, sections, and skipping an instruction's
 * immediates for the instruction set OPA's compiler and its C runtime emit (MVP, sign
 * extension, saturating truncation, bulk memory, reference types); anything else throws.
 */

export class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error('wasm: unexpected end of input');
    return this.bytes[this.pos++] as number;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }
  skipLeb(): void {
    while (this.byte() & 0x80);
  }
  skip(n: number): void {
    this.pos += n;
  }
}

export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export const concat = (parts: (Uint8Array | number[])[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

export const section = (id: number, payload: Uint8Array): Uint8Array => concat([[id], leb(payload.length), payload]);

function skipBlockType(r: Reader): void {
  const b = r.bytes[r.pos] as number;
  if (b === 0x40 || (b >= 0x6f && b <= 0x7f)) r.skip(1);
  else r.skipLeb(); // s33 type index
}

/** Skips the immediates of `op` (already read). */
export function skipImmediates(op: number, r: Reader): void {
  if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4) || op === 0xd1) return;
  if (op >= 0x02 && op <= 0x04) return skipBlockType(r);
  if (op === 0x0c || op === 0x0d || op === 0x10 || op === 0x12 || (op >= 0x20 && op <= 0x26) || op === 0x3f || op === 0x40 || op === 0xd2) return r.skipLeb();
  if (op === 0x11 || op === 0x13) return (r.skipLeb(), r.skipLeb());
  if (op === 0x0e) {
    for (let n = r.u32(); n >= 0; n--) r.skipLeb(); // n labels and the default
    return;
  }
  if (op === 0x1c) return r.skip(r.u32());
  if (op >= 0x28 && op <= 0x3e) {
    const align = r.u32();
    if (align & 0x40) r.skipLeb(); // multi-memory index
    return r.skipLeb();
  }
  if (op === 0x41 || op === 0x42) return r.skipLeb();
  if (op === 0x43) return r.skip(4);
  if (op === 0x44) return r.skip(8);
  if (op === 0xd0) return r.skip(1);
  if (op === 0xfc) {
    const sub = r.u32();
    if (sub <= 7) return;
    if (sub === 9 || sub === 11 || sub === 13 || sub >= 15) return r.skipLeb();
    if (sub === 8 || sub === 10 || sub === 12 || sub === 14) return (r.skipLeb(), r.skipLeb());
  }
  throw new Error(`wasm: opcode 0x${op.toString(16)} is not supported by the fuel meter`);
}


/** Signed LEB128 (i32.const and i64.const immediates). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export interface Section {
  id: number;
  payload: Uint8Array;
}

/** The sections of a module, in order; throws unless it is a WebAssembly 1.0 binary. */
export function readSections(wasm: Uint8Array): Section[] {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (header.some((b, i) => wasm[i] !== b)) throw new Error('wasm: not a WebAssembly 1.0 module');
  const r = new Reader(wasm);
  r.pos = 8;
  const sections: Section[] = [];
  while (r.pos < wasm.length) {
    const id = r.byte();
    const size = r.u32();
    if (r.pos + size > wasm.length) throw new Error('wasm: a section runs past the end of the module');
    sections.push({ id, payload: wasm.subarray(r.pos, r.pos + size) });
    r.skip(size);
  }
  return sections;
}

/** The module's bytes from its sections. */
export const writeModule = (sections: readonly Section[]): Uint8Array => concat([[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], ...sections.map((s) => section(s.id, s.payload))]);

/** Imported functions and globals, counted (they come first in their index spaces). */
export function importCounts(sections: readonly Section[]): { functions: number; globals: number } {
  const imports = sections.find((s) => s.id === 2);
  let functions = 0;
  let globals = 0;
  if (!imports) return { functions, globals };
  const ir = new Reader(imports.payload);
  for (let n = ir.u32(); n > 0; n--) {
    ir.skip(ir.u32()); // module
    ir.skip(ir.u32()); // name
    const kind = ir.byte();
    if (kind === 0x00) (ir.skipLeb(), functions++);
    else if (kind === 0x01 || kind === 0x02) {
      if (kind === 0x01) ir.skip(1); // reftype
      const flags = ir.byte();
      ir.skipLeb();
      if (flags & 1) ir.skipLeb();
    } else if (kind === 0x03) (ir.skip(2), globals++);
    else throw new Error(`wasm: import kind ${kind} is not supported`);
  }
  return { functions, globals };
}

/** Known sections after the global section (export, start, element, data count, code, data). */
const AFTER_GLOBALS = new Set([7, 8, 9, 10, 11, 12]);

/** Adds a global (`global`: its type, mutability and init expression); returns the sections and its index. */
export function appendGlobal(sections: readonly Section[], global: number[]): { sections: Section[]; index: number } {
  const imported = importCounts(sections).globals;
  const at = sections.findIndex((s) => s.id === 6);
  if (at >= 0) {
    const gr = new Reader(sections[at]!.payload);
    const n = gr.u32();
    const out = [...sections];
    out[at] = { id: 6, payload: concat([leb(n + 1), sections[at]!.payload.subarray(gr.pos), global]) };
    return { sections: out, index: imported + n };
  }
  let before = sections.findIndex((s) => AFTER_GLOBALS.has(s.id));
  if (before < 0) before = sections.length;
  return { sections: [...sections.slice(0, before), { id: 6, payload: concat([leb(1), global]) }, ...sections.slice(before)], index: imported };
}

/** The code section with each function body (locals and instructions) replaced by `f(body, i)` (`i`: its index among the bodies). */
export function mapBodies(code: Uint8Array, f: (body: Uint8Array, i: number) => Uint8Array): Uint8Array {
  const cr = new Reader(code);
  const count = cr.u32();
  const bodies: (Uint8Array | number[])[] = [leb(count)];
  for (let i = 0; i < count; i++) {
    const size = cr.u32();
    const body = f(code.subarray(cr.pos, cr.pos + size), i);
    cr.skip(size);
    bodies.push(leb(body.length), body);
  }
  return concat(bodies);
}
