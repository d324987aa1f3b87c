/**
 * A closed-loop load generator on Bun's fetch: `concurrency` workers each send the next request
 * as soon as the previous one finished, for `durationMs`. Every response is checked (a JSON
 * body must carry the mock's content; a stream must bring all 32 tokens and [DONE]), else it
 * counts as an error. For streams it records, per token event, when it arrived and whether it
 * came in the same read as the previous token (a merge), giving time to first token (the first
 * event with non-empty content, not the role chunk) and the gaps between token events.
 *
 *   bun bench/load.ts --url http://127.0.0.1:9100/v1/chat/completions --model bench [--stream] [--c 10] [--seconds 2] [--header 'k: v']
 * prints one JSON LoadResult.
 */
import { parseArgs } from 'node:util';
import { JSON_CONTENT, STREAM_TOKENS } from './mock-upstream.ts';

export interface LoadOptions {
  url: string;
  model: string;
  stream: boolean;
  concurrency: number;
  durationMs: number;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  errors: number;
  first_error?: string;
  seconds: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  ttft_p50_ms?: number;
  ttft_p99_ms?: number;
  gap_p50_ms?: number;
  gap_p99_ms?: number;
  /** Share of token events (after each stream's first) that arrived in one read with the previous token. */
  merged_pct?: number;
}

const EVENT_END = /\r?\n\r?\n/;
const TOKEN = /"content"\s*:\s*"(?!")/;

export function requestBody(model: string, stream: boolean): string {
  return JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'Say hello in one short sentence.' }], max_tokens: 64 });
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const lat: number[] = [];
  const ttft: number[] = [];
  const gaps: number[] = [];
  let merged = 0;
  let tokenFollowers = 0;
  let errors = 0;
  let firstError: string | undefined;
  const fail = (why: string) => {
    errors++;
    firstError ??= why;
  };
  const body = requestBody(o.model, o.stream);
  // identity: wrk asks for no compression either, and no contender should spend CPU on it here.
  const headers = { 'content-type': 'application/json', 'accept-encoding': 'identity', ...o.headers };
  const decoder = new TextDecoder();
  const end = performance.now() + o.durationMs;

  async function readStream(res: Response, t0: number): Promise<string | undefined> {
    const reader = res.body!.getReader();
    let buf = '';
    let tokens = 0;
    let done = false;
    let lastTokenAt = 0;
    let read = 0;
    let lastTokenRead = -1;
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      const now = performance.now();
      read++;
      buf += decoder.decode(r.value, { stream: true });
      let m: RegExpExecArray | null;
      while ((m = EVENT_END.exec(buf))) {
        const event = buf.slice(0, m.index);
        buf = buf.slice(m.index + m[0].length);
        if (event.includes('[DONE]')) done = true;
        else if (TOKEN.test(event)) {
          if (tokens === 0) ttft.push(now - t0);
          else {
            gaps.push(now - lastTokenAt);
            tokenFollowers++;
            if (read === lastTokenRead) merged++;
          }
          tokens++;
          lastTokenAt = now;
          lastTokenRead = read;
        }
      }
    }
    if (tokens !== STREAM_TOKENS || !done) return `stream brought ${tokens}/${STREAM_TOKENS} tokens${done ? '' : ' and no [DONE]'}`;
    return undefined;
  }

  async function worker(): Promise<void> {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const res = await fetch(o.url, { method: 'POST', headers, body });
        if (!res.ok) {
          fail(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
          continue;
        }
        const bad = o.stream ? await readStream(res, t0) : (await res.text()).includes(JSON_CONTENT) ? undefined : 'JSON body without the content';
        if (bad) {
          fail(bad);
          continue;
        }
        lat.push(performance.now() - t0);
      } catch (e) {
        fail(String(e));
        await Bun.sleep(1); // a refused connection must not spin
      }
    }
  }

  const started = performance.now();
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const r: LoadResult = { requests: lat.length, errors, seconds: round(seconds), rps: round(lat.length / seconds, 0), p50_ms: pct(lat, 50), p99_ms: pct(lat, 99) };
  if (firstError) r.first_error = firstError;
  if (o.stream) {
    Object.assign(r, { ttft_p50_ms: pct(ttft, 50), ttft_p99_ms: pct(ttft, 99), gap_p50_ms: pct(gaps, 50), gap_p99_ms: pct(gaps, 99) });
    r.merged_pct = tokenFollowers ? round((100 * merged) / tokenFollowers, 1) : 0;
  }
  return r;
}

/** Nearest-rank percentile, rounded to µs. */
export function pct(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = Float64Array.from(xs).sort();
  return round(s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!);
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      model: { type: 'string', default: 'bench' },
      stream: { type: 'boolean', default: false },
      c: { type: 'string', default: '1' },
      seconds: { type: 'string', default: '2' },
      header: { type: 'string', multiple: true, default: [] },
    },
  });
  if (!values.url) throw new Error('--url is required');
  const headers = Object.fromEntries(values.header.map((h) => [h.slice(0, h.indexOf(':')).trim(), h.slice(h.indexOf(':') + 1).trim()]));
  const r = await runLoad({ url: values.url, model: values.model, stream: values.stream, concurrency: Number(values.c), durationMs: Number(values.seconds) * 1000, headers });
  console.log(JSON.stringify(r));
}
