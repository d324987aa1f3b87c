import { GatewayError } from '../lib/errors.ts';

/** Whether a key's model patterns (`gpt-4o*`, `claude-*`, exact names) allow a model. */
export function modelAllowed(patterns: readonly string[], requested: string, canonical: string): boolean {
  return patterns.some((p) => matches(p, requested) || matches(p, canonical));
}

/** The allow-lists that apply to a caller: its key's and its team's (null or absent = any model). */
export interface ModelLists {
  key?: readonly string[] | null;
  team?: readonly string[] | null;
}

/** Whether every list allows the model (a model must pass both the key's and the team's list). */
export function listsAllow(lists: ModelLists, requested: string, canonical: string): boolean {
  return refusingList(lists, requested, canonical) === undefined;
}

/** Throws 403 naming the list that refuses the model, for every endpoint that takes a model. */
export function assertModelAllowed(lists: ModelLists, requested: string, canonical: string): void {
  const who = refusingList(lists, requested, canonical);
  if (who) throw new GatewayError('forbidden', `This ${who === 'key' ? 'key' : "key's team"} may not use the model '${requested}'.`, { param: 'model', code: 'model_not_allowed' });
}

function refusingList(lists: ModelLists, requested: string, canonical: string): 'key' | 'team' | undefined {
  if (lists.key && !modelAllowed(lists.key, requested, canonical)) return 'key';
  if (lists.team && !modelAllowed(lists.team, requested, canonical)) return 'team';
  return undefined;
}

/**
 * `*` matches any run of characters. Without a regex: `a*b*c*d` as `.*` joins backtracks
 * polynomially over a long client-chosen model name. The first piece is a prefix, the last a
 * suffix, and each piece between is taken at its leftmost place, which is correct for `*` alone.
 */
function matches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const pieces = pattern.split('*');
  const first = pieces[0]!;
  const last = pieces.at(-1)!;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = name.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}
