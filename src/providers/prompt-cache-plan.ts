import { MAX_BREAKPOINTS } from './cache-control.ts';

/**
 * Where `prompt_cache: auto` puts breakpoints, whatever the wire. A prompt is cached by prefix in
 * the order tools → system → messages, so a breakpoint after the last tool caches the tool list
 * and one after the last system block caches tools and system together. Each is placed only when
 * its prefix reaches the model's minimum cacheable length (below it the provider ignores the
 * breakpoint, so the estimate errs on neither side in cost), never where the client already has
 * one, and never beyond the provider's 4: the client's own breakpoints are counted first and kept.
 */
export type Ttl = '5m' | '1h';

/** What the policy asked for (`prompt_cache: {mode: 'auto', ttl}`). */
export interface PromptCachePlan {
  mode: 'auto' | 'off';
  ttl?: Ttl;
}

/** A prompt as the planner sees it: per section, each block's size in characters and its breakpoint, if any. */
export interface PromptShape {
  tools: ShapeItem[];
  system: ShapeItem[];
  messages: ShapeItem[];
  /** Breakpoints not on a listed block (Anthropic's top-level `cache_control`). */
  extra: number;
}
export interface ShapeItem {
  chars: number;
  /** The block's breakpoint TTL ('5m' when none is given); undefined when it has none. */
  marker?: Ttl;
}

/** A breakpoint to add after the last block of `section`. */
export interface Placement {
  section: 'tools' | 'system';
  ttl: Ttl;
}

/**
 * Minimum cacheable prompt per Claude model (Anthropic's prompt-caching docs, read 2026-12):
 * Opus 4.5+ and Haiku 4.5 4,096; Sonnet 4.6 and Haiku 3/3.5 2,048; the rest 1,024. An unknown
 * model gets 1,024: a breakpoint under the real minimum costs nothing, it is just not cached.
 */
const MINIMUMS: [RegExp, number][] = [
  [/haiku-4-5|opus-4-[5-9]/, 4096],
  [/sonnet-4-6|3-5-haiku|3-haiku/, 2048],
];
export function minCacheTokens(model: string): number {
  return MINIMUMS.find(([re]) => re.test(model))?.[1] ?? 1024;
}

/** Characters per token for the estimate: Claude's tokenizer averages about 3.5-4 on English and JSON. */
const CHARS_PER_TOKEN = 4;

/** The breakpoints to add, in prompt order. */
export function planBreakpoints(shape: PromptShape, model: string, plan: PromptCachePlan): Placement[] {
  if (plan.mode !== 'auto') return [];
  const all = [...shape.tools, ...shape.system, ...shape.messages];
  let free = MAX_BREAKPOINTS - shape.extra - all.filter((b) => b.marker).length;
  const min = minCacheTokens(model) * CHARS_PER_TOKEN;
  const toolChars = sum(shape.tools);
  const wanted: { section: Placement['section']; at: number }[] = [];
  // The system breakpoint covers the tools too, so it goes first when only one fits.
  if (shape.system.length && toolChars + sum(shape.system) >= min && !shape.system.at(-1)!.marker) wanted.push({ section: 'system', at: shape.tools.length + shape.system.length - 1 });
  if (shape.tools.length && toolChars >= min && !shape.tools.at(-1)!.marker) wanted.push({ section: 'tools', at: shape.tools.length - 1 });
  const out: Placement[] = [];
  for (const w of wanted) {
    if (free <= 0) break;
    const ttl = ttlAt(all, w.at, plan.ttl ?? '5m');
    if (!ttl) continue;
    out.push({ section: w.section, ttl });
    all[w.at] = { ...all[w.at]!, marker: ttl };
    free--;
  }
  return out.reverse();
}

/**
 * The TTL a breakpoint after block `at` may have: Anthropic wants longer TTLs before shorter
 * ones, so it is 1h when a later breakpoint is, 5m when an earlier one is, else what was asked;
 * undefined when the client's own breakpoints leave no valid choice.
 */
function ttlAt(blocks: ShapeItem[], at: number, asked: Ttl): Ttl | undefined {
  const earlier5m = blocks.slice(0, at).some((b) => b.marker === '5m');
  const later1h = blocks.slice(at + 1).some((b) => b.marker === '1h');
  if (earlier5m && later1h) return undefined;
  return later1h ? '1h' : earlier5m ? '5m' : asked;
}

const sum = (items: ShapeItem[]) => items.reduce((n, b) => n + b.chars, 0);
