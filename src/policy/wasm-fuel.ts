/**
 * Fuel metering for OPA wasm policies. Wasm evaluation is synchronous and neither OPA nor the
 * JS engine offers an instruction limit, so a policy that loops without allocating (nested
 * `some` over input arrays) would hold the event loop for as long as it runs. This rewrites the
 * module so that every loop iteration spends one unit of an exported mutable i32 global
 * (`FUEL_EXPORT`) and traps (`unreachable`) when it is empty. The host sets the fuel before each
 * evaluation; a trap with the global at 0 means "out of fuel".
 *
 * Only the instruction set OPA's compiler and its C runtime emit is decoded (MVP, sign
 * extension, saturating truncation, bulk memory, reference types). Anything else makes
 * `meterWasm` throw, and the module is refused rather than run unbounded.
 */

/** The fuel global's initial value (i32 max): effectively unmetered until the host sets it. */
export const FUEL_UNLIMITED = 0x7fffffff;

export const FUEL_EXPORT = 'tollgate_fuel';

class Reader {
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

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const concat = (parts: (Uint8Array | number[])[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

const section = (id: number, payload: Uint8Array): Uint8Array => concat([[id], leb(payload.length), payload]);

function skipBlockType(r: Reader): void {
  const b = r.bytes[r.pos] as number;
  if (b === 0x40 || (b >= 0x6f && b <= 0x7f)) r.skip(1);
  else r.skipLeb(); // s33 type index
}

/** Skips the immediates of `op` (already read). */
function skipImmediates(op: number, r: Reader): void {
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

/** Rewrites one function body, spending fuel at the top of every loop. */
function meterBody(body: Uint8Array, fuelCheck: number[]): Uint8Array {
  const r = new Reader(body);
  for (let n = r.u32(); n > 0; n--) (r.skipLeb(), r.skip(1)); // locals: count, type
  const parts: (Uint8Array | number[])[] = [];
  let copied = 0;
  while (r.pos < body.length) {
    const op = r.byte();
    skipImmediates(op, r);
    if (op === 0x03) {
      parts.push(body.subarray(copied, r.pos), fuelCheck);
      copied = r.pos;
    }
  }
  parts.push(body.subarray(copied));
  return concat(parts);
}

/** Returns a metered copy of an OPA policy module; throws on anything it cannot decode. */
export function meterWasm(wasm: Uint8Array): Uint8Array {
  const r = new Reader(wasm);
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (header.some((b, i) => wasm[i] !== b)) throw new Error('wasm: not a WebAssembly 1.0 module');
  r.pos = 8;
  const sections: { id: number; payload: Uint8Array }[] = [];
  while (r.pos < wasm.length) {
    const id = r.byte();
    const size = r.u32();
    sections.push({ id, payload: wasm.subarray(r.pos, r.pos + size) });
    r.skip(size);
  }

  let importedGlobals = 0;
  const imports = sections.find((s) => s.id === 2);
  if (imports) {
    const ir = new Reader(imports.payload);
    for (let n = ir.u32(); n > 0; n--) {
      ir.skip(ir.u32()); // module
      ir.skip(ir.u32()); // name
      const kind = ir.byte();
      if (kind === 0x00) ir.skipLeb();
      else if (kind === 0x01 || kind === 0x02) {
        if (kind === 0x01) ir.skip(1); // reftype
        const flags = ir.byte();
        ir.skipLeb();
        if (flags & 1) ir.skipLeb();
      } else if (kind === 0x03) (ir.skip(2), importedGlobals++);
      else throw new Error(`wasm: import kind ${kind} is not supported by the fuel meter`);
    }
  }

  const globals = sections.find((s) => s.id === 6);
  const definedGlobals = globals ? new Reader(globals.payload).u32() : 0;
  const fuelIndex = leb(importedGlobals + definedGlobals);
  // global.get; i32.eqz; if unreachable end; global.get; i32.const 1; i32.sub; global.set
  const fuelCheck = [0x23, ...fuelIndex, 0x45, 0x04, 0x40, 0x00, 0x0b, 0x23, ...fuelIndex, 0x41, 0x01, 0x6b, 0x24, ...fuelIndex];
  // Mutable i32, full until the host sets a budget, so instantiation and setData run unmetered.
  const fuelGlobal = [0x7f, 0x01, 0x41, 0xff, 0xff, 0xff, 0xff, 0x07, 0x0b];

  const out: Uint8Array[] = [wasm.subarray(0, 8)];
  let globalsWritten = false;
  for (const s of sections) {
    if (s.id === 7 && !globalsWritten) {
      out.push(section(6, concat([leb(1), fuelGlobal]))); // the module had no global section
      globalsWritten = true;
    }
    if (s.id === 6) {
      const gr = new Reader(s.payload);
      const n = gr.u32();
      out.push(section(6, concat([leb(n + 1), s.payload.subarray(gr.pos), fuelGlobal])));
      globalsWritten = true;
    } else if (s.id === 7) {
      const er = new Reader(s.payload);
      const n = er.u32();
      const name = new TextEncoder().encode(FUEL_EXPORT);
      out.push(section(7, concat([leb(n + 1), s.payload.subarray(er.pos), leb(name.length), name, [0x03], fuelIndex])));
    } else if (s.id === 10) {
      const cr = new Reader(s.payload);
      const bodies: (Uint8Array | number[])[] = [leb(cr.u32())];
      while (cr.pos < s.payload.length) {
        const size = cr.u32();
        const body = meterBody(s.payload.subarray(cr.pos, cr.pos + size), fuelCheck);
        cr.skip(size);
        bodies.push(leb(body.length), body);
      }
      out.push(section(10, concat(bodies)));
    } else {
      out.push(section(s.id, s.payload));
    }
  }
  if (!globalsWritten) throw new Error('wasm: module has no export section');
  return concat(out);
}

// Modules metered ahead of time (the build meters the built-in policies), by the bytes they were metered from.
const premetered = new WeakMap<Uint8Array, Uint8Array>();

/** Records that `metered` is `meterWasm(wasm)`, so a start with the built-in policies does not meter them again (~50 ms). */
export function rememberMetered(wasm: Uint8Array, metered: Uint8Array): void {
  premetered.set(wasm, metered);
}

/** `meterWasm(wasm)`, or the copy metered ahead of time for these very bytes. */
export function meteredWasm(wasm: Uint8Array): Uint8Array {
  return premetered.get(wasm) ?? meterWasm(wasm);
}
