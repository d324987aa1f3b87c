import { GatewayError } from '../../lib/errors.ts';
import type { Obj } from './candidate.ts';

export interface FunctionCall {
  name: string;
  args: Obj;
  /** The part's `thoughtSignature`, which Gemini 3 wants back with the call. */
  signature?: string;
}

/**
 * Collects function calls from the parts of one candidate. A call normally arrives whole
 * (`{name, args}`). With streamed arguments (Vertex, Gemini 3) it arrives in pieces: a part with
 * the name and `willContinue`, parts with `partialArgs` (a JSON path and a value; strings arrive
 * in fragments to append), and an empty `functionCall` that ends it. Calls are handed out whole
 * either way, so the client sees one tool-call delta per call.
 */
export function functionCallCollector(provider: string, opts: { oneCall?: boolean } = {}) {
  let pending: FunctionCall | undefined;
  let handed = 0;

  const close = (): FunctionCall[] => {
    const done = pending;
    pending = undefined;
    return done ? [done] : [];
  };
  /** With `parallel_tool_calls: false`, Gemini cannot be told to stop at one call: later calls are discarded. */
  const hand = (calls: FunctionCall[]): FunctionCall[] => {
    const out = opts.oneCall ? calls.slice(0, Math.max(0, 1 - handed)) : calls;
    handed += out.length;
    return out;
  };

  return {
    /** Takes one `functionCall` part; returns the calls it completed. */
    take: (part: Obj): FunctionCall[] => hand(take(part)),
    /** The call still open when the candidate finished (Gemini may omit the closing part). */
    flush: () => hand(close()),
  };

  function take(part: Obj): FunctionCall[] {
      const fc = part.functionCall as Obj;
      if (!fc || typeof fc !== 'object') throw new GatewayError('upstream_invalid', `${provider} returned a malformed functionCall`);
      const signature = typeof part.thoughtSignature === 'string' ? part.thoughtSignature : undefined;
      const partial = fc.partialArgs;
      const out: FunctionCall[] = [];
      if (typeof fc.name === 'string') {
        out.push(...close());
        const args = fc.args === undefined || fc.args === null ? {} : fc.args;
        if (typeof args !== 'object' || Array.isArray(args)) throw new GatewayError('upstream_invalid', `${provider} returned function arguments that are not an object`);
        const call: FunctionCall = { name: fc.name, args: { ...(args as Obj) }, ...(signature ? { signature } : {}) };
        if (fc.willContinue !== true && partial === undefined) return [...out, call];
        pending = call;
      }
      if (partial !== undefined) {
        if (!pending || !Array.isArray(partial)) throw new GatewayError('upstream_invalid', `${provider} streamed function arguments outside a function call`);
        for (const p of partial) applyPartial(pending.args, p as Obj, provider);
      } else if (typeof fc.name !== 'string' && fc.willContinue !== true) {
        out.push(...close());
      }
      return out;
  }
}

function applyPartial(args: Obj, p: Obj, provider: string): void {
  const path = typeof p.jsonPath === 'string' ? parsePath(p.jsonPath) : undefined;
  if (!path || path.length === 0) throw new GatewayError('upstream_invalid', `${provider} streamed a function argument with an unreadable path`);
  let node: Obj | unknown[] = args;
  path.forEach((key, k) => {
    const slot = node as Record<string | number, unknown>;
    if (k === path.length - 1) {
      if (typeof p.stringValue === 'string') slot[key] = (typeof slot[key] === 'string' ? (slot[key] as string) : '') + p.stringValue;
      else if ('numberValue' in p) slot[key] = p.numberValue;
      else if ('boolValue' in p) slot[key] = p.boolValue;
      else if ('nullValue' in p) slot[key] = null;
      return;
    }
    if (!slot[key] || typeof slot[key] !== 'object') slot[key] = typeof path[k + 1] === 'number' ? [] : {};
    node = slot[key] as Obj | unknown[];
  });
}

/** `$.a.b[2]['c d']` → ['a', 'b', 2, 'c d']; undefined when the path is not of that form. */
function parsePath(s: string): (string | number)[] | undefined {
  if (!s.startsWith('$')) return undefined;
  const keys: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < s.length) {
    const m = re.exec(s);
    if (!m) return undefined;
    const key = m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3] ?? m[4])!;
    // The path comes from upstream and indexes plain objects: never let it reach a prototype.
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') return undefined;
    keys.push(key);
  }
  return keys;
}
