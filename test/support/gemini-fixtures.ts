import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { GatewayError } from '../../src/lib/errors.ts';
import { DONE, type ChatTranslator, type StreamEvent } from '../../src/providers/types.ts';
import { geminiEvents } from '../../src/providers/gemini/events.ts';
import { openaiToGemini } from '../../src/providers/gemini/openai-gemini.ts';

/** Test helpers: reading the recorded Gemini traffic in test/fixtures and replaying it. */

/** Views of the JSON the tests look into (all fields optional where the wire makes them so). */
export interface GPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType: string; fileUri: string };
  functionCall?: { name?: string; args?: Record<string, unknown>; id?: string; willContinue?: boolean; partialArgs?: unknown[] };
  functionResponse?: { name: string; response: Record<string, unknown>; id?: string };
}
export interface GUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
}
export interface GCandidate {
  content?: { role?: string; parts?: GPart[] };
  finishReason?: string;
  index?: number;
  logprobsResult?: { chosenCandidates: { token: string; logProbability: number }[] };
}
export interface GError {
  code: number;
  message: string;
  status: string;
  details?: { reason?: string }[];
}
export interface GResponse {
  candidates?: GCandidate[];
  usageMetadata?: GUsage;
  promptFeedback?: Record<string, unknown>;
  error?: GError;
}
export interface GRequest {
  contents: { role: string; parts: GPart[] }[];
  systemInstruction?: { parts: GPart[] };
  generationConfig?: { [k: string]: unknown; maxOutputTokens?: number; mediaResolution?: string; thinkingConfig?: { thinkingBudget: number; includeThoughts?: boolean } };
  tools?: { functionDeclarations: Record<string, unknown>[] }[];
  toolConfig?: unknown;
}
export interface GEmbedRequest {
  requests: { model: string; content: { parts: { text: string }[] }; outputDimensionality?: number }[];
}
export interface GEmbedResponse {
  embeddings: { values: number[] }[];
}
export interface OAEmbeddings {
  object: string;
  model: string;
  data: { object: string; index: number; embedding: number[] | string }[];
  usage: { prompt_tokens: number; total_tokens: number };
}
export interface OAChunk {
  choices: { index: number; delta: Record<string, unknown>; finish_reason: string | null }[];
  usage?: unknown;
}
export interface OAToolCall {
  id: string;
  type: string;
  function: { name: string; arguments: string };
}
export interface OAChoice {
  index: number;
  message: { role: string; content: string | null; reasoning_content?: string; tool_calls?: OAToolCall[] };
  finish_reason: string;
  logprobs: { content: { token: string; logprob: number; bytes: number[]; top_logprobs: { token: string; logprob: number }[] }[] } | null;
}
export interface OACompletion {
  id: string;
  object: string;
  model: string;
  choices: OAChoice[];
  usage: Record<string, unknown>;
}

const DIR = new URL('../fixtures/gemini/', import.meta.url);

export const fixtureNames = (): string[] => readdirSync(fileURLToPath(DIR)).sort();
export const fixtureText = (name: string): string => readFileSync(fileURLToPath(new URL(name, DIR)), 'utf8');
export const fixtureJson = (name: string): unknown => JSON.parse(fixtureText(name));

/** vercel/ai `.chunks.txt`: one event payload per line. */
export const chunkLines = (name: string): unknown[] =>
  fixtureText(name).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);

export interface Interaction {
  request: { uri: string; parsed_body?: Record<string, unknown> };
  response: { status: { code: number }; parsed_body?: unknown; body?: { string?: string } };
}

/** A pydantic-ai VCR cassette's interactions. */
export const cassette = (name: string): Interaction[] => (parseYaml(fixtureText(name)) as { interactions: Interaction[] }).interactions;

/** A body streamed in small pieces, so event and line boundaries fall inside chunks. */
export function bodyOf(text: string, size = 37): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, (at += size)));
    },
  });
}

export async function decode(text: string): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of geminiEvents(bodyOf(text))) out.push(ev);
  return out;
}

export interface Replay {
  chunks: Record<string, unknown>[];
  done: boolean;
  error?: GatewayError;
}

/** Feeds events through a translator the way the router does, stopping at the first error. */
export async function replay<Req>(t: ChatTranslator<Req>, events: AsyncIterable<StreamEvent> | StreamEvent[]): Promise<Replay> {
  const out: StreamEvent[] = [];
  try {
    for await (const ev of events) out.push(...t.streamEvent(ev));
    out.push(...t.streamEnd());
  } catch (e) {
    if (!(e instanceof GatewayError)) throw e;
    return { ...split(out), error: e };
  }
  return split(out);
}

function split(out: StreamEvent[]): Replay {
  return { chunks: out.filter((e) => e.data !== DONE).map((e) => e.data as Record<string, unknown>), done: out.at(-1)?.data === DONE };
}

export interface Assembled {
  content: string;
  reasoning: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finish: unknown;
  usage: unknown;
}

/** Reassembles OpenAI chunks into what a client would end up with (choice 0). */
export function assemble(chunks: Record<string, unknown>[], index = 0): Assembled {
  const a: Assembled = { content: '', reasoning: '', toolCalls: [], finish: null, usage: undefined };
  for (const c of chunks) {
    if (c.usage) a.usage = c.usage;
    for (const ch of c.choices as { index: number; delta: Record<string, unknown>; finish_reason: unknown }[]) {
      if (ch.index !== index) continue;
      if (typeof ch.delta.content === 'string') a.content += ch.delta.content;
      if (typeof ch.delta.reasoning_content === 'string') a.reasoning += ch.delta.reasoning_content;
      for (const tc of (ch.delta.tool_calls ?? []) as { index: number; id?: string; function: { name?: string; arguments?: string } }[]) {
        const slot = (a.toolCalls[tc.index] ??= { id: '', name: '', arguments: '' });
        if (tc.id) slot.id = tc.id;
        if (tc.function.name) slot.name += tc.function.name;
        slot.arguments += tc.function.arguments ?? '';
      }
      if (ch.finish_reason) a.finish = ch.finish_reason;
    }
  }
  return a;
}

/** The texts of a Gemini response's candidate-0 parts, split into answer and thoughts. */
export function geminiTexts(events: GResponse[]): { text: string; thoughts: string } {
  let text = '';
  let thoughts = '';
  for (const e of events) {
    const parts = e.candidates?.[0]?.content?.parts ?? [];
    for (const p of parts) {
      if (typeof p.text !== 'string') continue;
      if (p.thought) thoughts += p.text;
      else text += p.text;
    }
  }
  return { text, thoughts };
}

/** The OpenAI usage the recorded usageMetadata must turn into. */
export function expectedUsage(meta: GUsage | undefined) {
  const m = meta ?? {};
  const prompt = (m.promptTokenCount ?? 0) + (m.toolUsePromptTokenCount ?? 0);
  const completion = (m.candidatesTokenCount ?? 0) + (m.thoughtsTokenCount ?? 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: m.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: m.thoughtsTokenCount ?? 0 },
  };
}

/** An OpenAI-client translator that has seen a minimal request with these options. */
export function chatTranslator(opts: { stream?: boolean; includeUsage?: boolean; logprobs?: boolean; model?: string } = {}) {
  const t = openaiToGemini('gemini');
  t.request(
    {
      model: 'my-gemini',
      messages: [{ role: 'user', content: 'hi' }],
      ...(opts.stream ? { stream: true, stream_options: { include_usage: opts.includeUsage ?? true } } : {}),
      ...(opts.logprobs ? { logprobs: true, top_logprobs: 2 } : {}),
    },
    { model: opts.model ?? 'gemini-2.5-flash', publicModel: 'my-gemini', clientHeaders: new Headers() },
  );
  return t;
}
