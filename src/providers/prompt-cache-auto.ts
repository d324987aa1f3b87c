import type { ChatTranslator, Wire } from './types.ts';
import { planBreakpoints, type Placement, type PromptCachePlan, type PromptShape, type ShapeItem, type Ttl } from './prompt-cache-plan.ts';

/**
 * `prompt_cache: auto` on the wire body a translator produced: Anthropic breakpoints
 * (`cache_control`) on Anthropic, `cachePoint` blocks on Bedrock Claude. Elsewhere it is a no-op,
 * reported as the dropped hint `prompt_cache` (OpenAI and Gemini cache prompts by themselves).
 * The call states how many breakpoints Tollgate added (`UpstreamCall.promptCache`).
 */
type Json = Record<string, unknown>;

const BEDROCK_CLAUDE = /(^|\.)anthropic\.claude/;

export function withPromptCache<Req>(t: ChatTranslator<Req>, wire: Wire): ChatTranslator<Req> {
  return {
    ...t,
    request(body, ctx) {
      const call = t.request(body, ctx);
      const plan = ctx.promptCache;
      if (!plan || plan.mode !== 'auto') return call;
      const place = wire === 'anthropic' ? placeAnthropic : wire === 'bedrock' && BEDROCK_CLAUDE.test(ctx.model) ? placeConverse : undefined;
      if (!place) return { ...call, dropped: [...new Set([...(call.dropped ?? []), 'prompt_cache'])] };
      const first = place(call.body as Json, ctx.model, plan);
      const parts = call.parts?.map((p) => place(p as Json, ctx.model, plan).body);
      return { ...call, body: first.body, ...(parts ? { parts } : {}), promptCache: first.placed };
    },
  };
}

interface Placed {
  body: Json;
  placed: number;
}

const marker = (cc: unknown): Ttl | undefined => (cc == null ? undefined : (cc as Json).ttl === '1h' ? '1h' : '5m');
const size = (v: unknown) => JSON.stringify(v ?? '').length;
const control = (ttl: Ttl) => (ttl === '1h' ? { type: 'ephemeral', ttl } : { type: 'ephemeral' });

/** Anthropic Messages body: markers on the last tool and the last system block. */
function placeAnthropic(body: Json, model: string, plan: PromptCachePlan): Placed {
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  const system = typeof body.system === 'string' ? [{ type: 'text', text: body.system }] : Array.isArray(body.system) ? (body.system as Json[]) : [];
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
  const blockItems = (blocks: Json[]): ShapeItem[] =>
    blocks.flatMap((b) => [{ chars: size(b), marker: marker(b.cache_control) }, ...(Array.isArray(b.content) ? blockItems(b.content as Json[]).map((i) => ({ ...i, chars: 0 })) : [])]);
  const shape: PromptShape = {
    tools: tools.map((t) => ({ chars: size(t), marker: marker(t.cache_control) })),
    system: blockItems(system),
    // The top-level marker is a breakpoint after the prompt's last block: it counts toward the
    // four, and its TTL orders the ones placed before it (a 1h there makes an earlier one 1h).
    messages: [...messages.flatMap((m) => (Array.isArray(m.content) ? blockItems(m.content as Json[]) : [{ chars: size(m.content) }])), ...(body.cache_control == null ? [] : [{ chars: 0, marker: marker(body.cache_control) }])],
    extra: 0,
  };
  const placements = planBreakpoints(shape, model, plan);
  if (!placements.length) return { body, placed: 0 };
  const out = { ...body };
  const mark = (list: Json[], ttl: Ttl) => [...list.slice(0, -1), { ...list.at(-1)!, cache_control: control(ttl) }];
  for (const p of placements) {
    if (p.section === 'tools') out.tools = mark(tools, p.ttl);
    else out.system = mark(system, p.ttl);
  }
  return { body: out, placed: placements.length };
}

/** Converse body: a cachePoint after the last tool spec and after the system blocks. */
function placeConverse(body: Json, model: string, plan: PromptCachePlan): Placed {
  const config = body.toolConfig as Json | undefined;
  const tools = Array.isArray(config?.tools) ? (config.tools as Json[]) : [];
  const system = Array.isArray(body.system) ? (body.system as Json[]) : [];
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
  const shape: PromptShape = {
    tools: converseItems(tools),
    system: converseItems(system),
    messages: messages.flatMap((m) => converseItems(Array.isArray(m.content) ? (m.content as Json[]) : [])),
    extra: 0,
  };
  const placements = planBreakpoints(shape, model, plan);
  if (!placements.length) return { body, placed: 0 };
  const out = { ...body };
  const point = (p: Placement) => ({ cachePoint: p.ttl === '1h' ? { type: 'default', ttl: '1h' } : { type: 'default' } });
  for (const p of placements) {
    if (p.section === 'tools') out.toolConfig = { ...config, tools: [...tools, point(p)] };
    else out.system = [...system, point(p)];
  }
  return { body: out, placed: placements.length };
}

/** Converse blocks as shape items: a cachePoint block is the breakpoint of the block before it. */
function converseItems(blocks: Json[]): ShapeItem[] {
  const items: ShapeItem[] = [];
  for (const b of blocks) {
    if ('cachePoint' in b) {
      const prev = items.at(-1);
      if (prev) prev.marker = (b.cachePoint as Json | undefined)?.ttl === '1h' ? '1h' : '5m';
      else items.push({ chars: 0, marker: '5m' });
    } else items.push({ chars: size(b) });
  }
  return items;
}
