/**
 * The parts of the input document a compiled policy can read. The compiler records every ground
 * prefix of an `input` reference in a custom section of the module (`tollgate.input_paths`);
 * the engine then serialises only those subtrees, since parsing the input document is about
 * half of an evaluation's cost inside the wasm runtime. A policy that reads `input` whole (or
 * by a variable key), or a module without the section (`opa build`), gets the whole document.
 * The projection never changes an answer: every reference the policy can make resolves to the
 * same value in the projected document as in the whole one.
 */

export const INPUT_PATHS_SECTION = 'tollgate.input_paths';

/** A trie of kept keys; `true` keeps the whole subtree. */
type Node = Map<string, Node | true>;

export type InputProjection = (input: unknown) => unknown;

/** The projection a module asks for, or undefined when the whole input is needed. */
export function moduleInputProjection(module: WebAssembly.Module): InputProjection | undefined {
  const sections = WebAssembly.Module.customSections(module, INPUT_PATHS_SECTION);
  if (sections.length !== 1) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(sections[0]));
  } catch {
    return undefined;
  }
  const paths = (parsed as { paths?: unknown } | null)?.paths;
  if (!Array.isArray(paths) || !paths.every((p) => Array.isArray(p) && p.length > 0 && p.every((k) => typeof k === 'string'))) return undefined;
  return projectionOf(paths as string[][]);
}

/** The projection keeping `paths` (each a list of keys from the input's root). */
export function projectionOf(paths: readonly (readonly string[])[]): InputProjection {
  const root: Node = new Map();
  for (const path of paths) {
    let node = root;
    for (let i = 0; i < path.length; i++) {
      const key = path[i] as string;
      const last = i === path.length - 1;
      const child = node.get(key);
      if (child === true) break; // an ancestor already keeps the whole subtree
      if (last) {
        node.set(key, true);
        break;
      }
      if (child) node = child;
      else {
        const next: Node = new Map();
        node.set(key, next);
        node = next;
      }
    }
  }
  return (input) => project(input, root);
}

/** An object literal's kind (prototype Object.prototype or null): what projection and splitting look inside. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function project(value: unknown, node: Node): unknown {
  // A reference through an array or a scalar reads nothing deeper we could drop: keep it whole.
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of node) {
    if (!Object.hasOwn(value, key)) continue;
    const v = value[key];
    const kept = child === true ? v : project(v, child);
    if (key === '__proto__') Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
    else out[key] = kept;
  }
  return out;
}
