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

import { appendGlobal, concat, leb, mapBodies, Reader, readSections, skipImmediates, writeModule } from './wasm-code.ts';

/** The fuel global's initial value (i32 max): effectively unmetered until the host sets it. */
export const FUEL_UNLIMITED = 0x7fffffff;

export const FUEL_EXPORT = 'tollgate_fuel';

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
  // Mutable i32, full until the host sets a budget, so instantiation and setData run unmetered.
  const { sections, index } = appendGlobal(readSections(wasm), [0x7f, 0x01, 0x41, 0xff, 0xff, 0xff, 0xff, 0x07, 0x0b]);
  const fuelIndex = leb(index);
  // global.get; i32.eqz; if unreachable end; global.get; i32.const 1; i32.sub; global.set
  const fuelCheck = [0x23, ...fuelIndex, 0x45, 0x04, 0x40, 0x00, 0x0b, 0x23, ...fuelIndex, 0x41, 0x01, 0x6b, 0x24, ...fuelIndex];
  if (!sections.some((s) => s.id === 7)) throw new Error('wasm: module has no export section');
  return writeModule(
    sections.map((s) => {
      if (s.id === 7) {
        const er = new Reader(s.payload);
        const n = er.u32();
        const name = new TextEncoder().encode(FUEL_EXPORT);
        return { id: 7, payload: concat([leb(n + 1), s.payload.subarray(er.pos), leb(name.length), name, [0x03], fuelIndex]) };
      }
      if (s.id === 10) return { id: 10, payload: mapBodies(s.payload, (body) => meterBody(body, fuelCheck)) };
      return s;
    }),
  );
}
