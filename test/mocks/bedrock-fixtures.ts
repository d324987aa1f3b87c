import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DONE, type StreamEvent } from '../../src/providers/types.ts';

/** Test helpers for the recorded Bedrock traffic in test/fixtures/bedrock. */
const DIR = new URL('../fixtures/bedrock/', import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

export interface Interaction {
  uri: string;
  requestBody: unknown;
  status: number;
  /** The exact wire bytes for binary (event-stream) bodies. */
  bytes?: Uint8Array;
  /** The JSON body, for everything else. */
  json?: unknown;
}

/** A pydantic-ai VCR cassette; `!!binary` bodies decode to the exact bytes that were on the wire. */
export function cassette(name: string): Interaction[] {
  const doc = parse(fixtureText(name), { customTags: ['binary'] }) as {
    interactions: { request: { uri: string; body: unknown }; response: { status: { code: number }; body?: { string?: unknown }; parsed_body?: unknown } }[];
  };
  return doc.interactions.map(({ request, response }) => {
    const raw = response.body?.string;
    const reqBody = typeof request.body === 'string' ? (JSON.parse(request.body) as unknown) : request.body;
    const it: Interaction = { uri: request.uri, requestBody: reqBody, status: response.status.code };
    if (raw instanceof Uint8Array) it.bytes = raw;
    else {
      // One cassette keeps its JSON body as raw text (body.string) rather than parsed_body.
      const j = response.parsed_body ?? raw;
      it.json = typeof j === 'string' ? (JSON.parse(j) as unknown) : j;
    }
    return it;
  });
}

/** vercel `.chunks.txt`: one `{"<eventType>": payload}` per line → events as the adapter yields them. */
export function chunkEvents(name: string): StreamEvent[] {
  return fixtureText(name)
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [event, data] = Object.entries(JSON.parse(l) as Record<string, unknown>)[0]!;
      return { event, data };
    });
}

/** Splits bytes into a stream whose chunks have the given sizes (cycled). */
export function byteStream(bytes: Uint8Array, sizes: number[] = [bytes.length]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      let off = 0;
      for (let i = 0; off < bytes.length; i++) {
        const n = Math.max(1, sizes[i % sizes.length]!);
        c.enqueue(bytes.slice(off, off + n));
        off += n;
      }
      c.close();
    },
  });
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Seeded pseudo-random chunk sizes (1–97 bytes), so failures reproduce. */
export function randomSizes(seed: number, count = 500): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return 1 + (s % 97);
  });
}

export interface Reassembled {
  role?: string;
  content: string;
  reasoning: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finish: (string | null)[];
  usage?: Record<string, unknown>;
  done: boolean;
  models: Set<unknown>;
}

/** Folds OpenAI chat.completion.chunk events the way the official SDK accumulates them. */
export function reassemble(events: StreamEvent[]): Reassembled {
  const r: Reassembled = { content: '', reasoning: '', toolCalls: [], finish: [], done: false, models: new Set() };
  for (const ev of events) {
    if (ev.data === DONE) {
      r.done = true;
      continue;
    }
    const c = ev.data as {
      object: string;
      model: string;
      usage?: Record<string, unknown>;
      choices: { delta: { role?: string; content?: string; reasoning_content?: string; tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[] }; finish_reason: string | null }[];
    };
    if (c.object !== 'chat.completion.chunk') throw new Error(`not a chunk: ${c.object}`);
    r.models.add(c.model);
    if (c.usage) r.usage = c.usage;
    for (const ch of c.choices) {
      if (ch.delta.role) r.role = ch.delta.role;
      r.content += ch.delta.content ?? '';
      r.reasoning += ch.delta.reasoning_content ?? '';
      for (const tc of ch.delta.tool_calls ?? []) {
        const t = (r.toolCalls[tc.index] ??= { id: '', name: '', arguments: '' });
        if (tc.id) t.id = tc.id;
        if (tc.function?.name) t.name = tc.function.name;
        t.arguments += tc.function?.arguments ?? '';
      }
      if (ch.finish_reason) r.finish.push(ch.finish_reason);
    }
  }
  return r;
}
