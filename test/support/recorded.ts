import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { sseEvents, sseFrame } from '../../src/lib/sse.ts';
import type { StreamEvent } from '../../src/providers/types.ts';

/**
 * Test-only readers for the recorded provider traffic in test/fixtures (see its
 * README, "File formats"). Nothing here runs at import time.
 */
type Json = Record<string, unknown>;

export function fixtureDir(provider: string): string {
  return fileURLToPath(new URL(`../fixtures/${provider}/`, import.meta.url));
}

export function readFixture(provider: string, name: string): string {
  return readFileSync(fixtureDir(provider) + name, 'utf8');
}

/** A `.chunks.txt` file: one decoded event payload per line. Anthropic event names are the payload's `type`. */
export function chunkEvents(provider: string, name: string): StreamEvent[] {
  return readFixture(provider, name)
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const data = JSON.parse(l) as Json;
      return provider === 'anthropic' ? { event: String(data.type), data } : { data };
    });
}

/** Decodes raw SSE text with the gateway's own decoder. */
export async function sseTextEvents(text: string): Promise<StreamEvent[]> {
  const body = new Response(text).body!;
  const out: StreamEvent[] = [];
  for await (const ev of sseEvents(body)) out.push(ev);
  return out;
}

interface Interaction {
  request: { parsed_body?: Json; uri?: string };
  response: { status: { code: number }; parsed_body?: unknown; body?: { string?: string } };
}

export function cassette(provider: string, name: string): Interaction[] {
  const doc = parse(readFixture(provider, name)) as { interactions: Interaction[] };
  return doc.interactions;
}

export interface StreamFixture {
  name: string;
  events: StreamEvent[];
  /** The raw SSE text, for cassettes. */
  raw?: string;
}

/** Every Anthropic streaming recording: vercel chunk files and the raw SSE bodies of the VCR cassettes. */
export async function anthropicStreams(): Promise<StreamFixture[]> {
  const out: StreamFixture[] = [];
  for (const name of readdirSync(fixtureDir('anthropic')).sort()) {
    if (name.endsWith('.chunks.txt')) {
      const streams = splitAtMessageStop(chunkEvents('anthropic', name));
      streams.forEach((events, k) => out.push({ name: streams.length > 1 ? `${name}#${k}` : name, events }));
    }
    if (!name.endsWith('.yaml')) continue;
    for (const [i, it] of cassette('anthropic', name).entries()) {
      const raw = it.response.body?.string;
      if (it.response.status.code === 200 && raw?.includes('event: message_start')) out.push({ name: `${name}#${i}`, events: await sseTextEvents(raw), raw });
    }
  }
  return out;
}

/** Some chunk files hold two recorded responses back to back; each ends at its message_stop. */
function splitAtMessageStop(events: StreamEvent[]): StreamEvent[][] {
  const out: StreamEvent[][] = [[]];
  for (const e of events) {
    out.at(-1)!.push(e);
    if ((e.data as Json).type === 'message_stop') out.push([]);
  }
  return out.filter((s) => s.length);
}

/** Every recorded non-streaming Anthropic message (vercel JSON files and cassette bodies). */
export function anthropicMessages(): { name: string; message: Json }[] {
  const out: { name: string; message: Json }[] = [];
  for (const name of readdirSync(fixtureDir('anthropic')).sort()) {
    if (name.endsWith('.json')) {
      const j = JSON.parse(readFixture('anthropic', name)) as Json;
      if (j.type === 'message') out.push({ name, message: j });
    }
    if (!name.endsWith('.yaml')) continue;
    for (const [i, it] of cassette('anthropic', name).entries()) {
      const b = it.response.parsed_body as Json | undefined;
      if (b?.type === 'message') out.push({ name: `${name}#${i}`, message: b });
    }
  }
  return out;
}

/** Recorded Anthropic error bodies with their HTTP status. */
export function anthropicErrors(): { name: string; status: number; body: string }[] {
  const out: { name: string; status: number; body: string }[] = [];
  for (const name of readdirSync(fixtureDir('anthropic')).sort()) {
    if (!name.endsWith('.yaml')) continue;
    for (const it of cassette('anthropic', name)) {
      if (it.response.status.code >= 400) out.push({ name, status: it.response.status.code, body: JSON.stringify(it.response.parsed_body) });
    }
  }
  return out;
}

/**
 * What a recorded Anthropic stream says, reduced independently of the translators: the blocks
 * of the last message (a repeated message_start restarts it), stop reason and final usage.
 */
export function reduceAnthropicStream(events: StreamEvent[]) {
  let blocks: { type: string; text: string; json: string; id?: string; name?: string; input?: unknown }[] = [];
  let stopReason: string | undefined;
  let usage: Json = {};
  let stopped = false;
  for (const { data } of events) {
    const d = data as Json;
    if (d.type === 'message_start') {
      const m = d.message as Json;
      blocks = ((m.content as Json[]) ?? []).map((b) => ({ type: String(b.type), text: typeof b.text === 'string' ? b.text : '', json: '', id: b.id as string, name: b.name as string, input: b.input }));
      stopReason = (m.stop_reason as string | null) ?? undefined;
      usage = { ...(m.usage as Json) };
    } else if (d.type === 'content_block_start') {
      const cb = d.content_block as Json;
      blocks[Number(d.index)] = { type: String(cb.type), text: typeof cb.text === 'string' ? cb.text : '', json: '', id: cb.id as string, name: cb.name as string, input: cb.input };
    } else if (d.type === 'content_block_delta') {
      const delta = d.delta as Json;
      const b = blocks[Number(d.index)]!;
      if (delta.type === 'text_delta') b.text += String(delta.text);
      if (delta.type === 'thinking_delta') b.text += String(delta.thinking);
      if (delta.type === 'input_json_delta') b.json += String(delta.partial_json);
    } else if (d.type === 'message_delta') {
      stopReason = (d.delta as Json).stop_reason as string;
      for (const [k, v] of Object.entries((d.usage as Json) ?? {})) if (v !== null && v !== undefined) usage[k] = v;
    } else if (d.type === 'message_stop') stopped = true;
  }
  const n = (k: string) => (typeof usage[k] === 'number' ? (usage[k] as number) : 0);
  return {
    blocks: blocks.filter(Boolean),
    stopReason,
    stopped,
    input: n('input_tokens') + n('cache_read_input_tokens') + n('cache_creation_input_tokens'),
    output: n('output_tokens'),
    cacheRead: n('cache_read_input_tokens'),
    cacheWrite: n('cache_creation_input_tokens'),
  };
}

/** A streaming HTTP response carrying `events` as the gateway would frame them, for SDK round trips. */
export function sseResponse(events: StreamEvent[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const e of events) c.enqueue(sseFrame(e));
      c.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

const OPENAI_WIRE_DIRS = ['openai', 'azure', 'groq', 'mistral', 'other'];

/** Every recorded OpenAI-wire chat stream (OpenAI and OpenAI-compatible servers), as decoded events. */
export async function openaiChatStreams(): Promise<StreamFixture[]> {
  const out: StreamFixture[] = [];
  for (const dir of OPENAI_WIRE_DIRS) {
    for (const name of readdirSync(fixtureDir(dir)).sort()) {
      // Only chat-completion chunk files; Responses-API recordings (one is not line-parseable) are skipped.
      if (name.endsWith('.chunks.txt') && readFixture(dir, name).includes('"chat.completion.chunk"')) {
        const events = chunkEvents(dir, name);
        if (events.some((e) => (e.data as Json).object === 'chat.completion.chunk')) out.push({ name: `${dir}/${name}`, events });
      }
      if (!name.endsWith('.yaml')) continue;
      for (const [i, it] of cassette(dir, name).entries()) {
        const raw = it.response.body?.string;
        if (it.response.status.code === 200 && raw?.includes('"chat.completion.chunk"')) out.push({ name: `${dir}/${name}#${i}`, events: await sseTextEvents(raw), raw });
      }
    }
  }
  return out;
}

/** Every recorded non-streaming OpenAI-wire chat completion. */
export function openaiChatCompletions(): { name: string; completion: Json }[] {
  const out: { name: string; completion: Json }[] = [];
  for (const dir of OPENAI_WIRE_DIRS) {
    for (const name of readdirSync(fixtureDir(dir)).sort()) {
      if (name.endsWith('.json')) {
        const j = JSON.parse(readFixture(dir, name)) as Json;
        if (j.object === 'chat.completion') out.push({ name: `${dir}/${name}`, completion: j });
      }
      if (!name.endsWith('.yaml')) continue;
      for (const [i, it] of cassette(dir, name).entries()) {
        const b = it.response.parsed_body as Json | undefined;
        if (it.response.status.code === 200 && b?.object === 'chat.completion') out.push({ name: `${dir}/${name}#${i}`, completion: b });
      }
    }
  }
  return out;
}
