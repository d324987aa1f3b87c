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

function matches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(name);
}
