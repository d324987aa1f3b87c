/**
 * A closed-loop load generator: `concurrency` workers each send the next request as soon as the
 * previous one finished, for `durationMs`. For streams it reads every chunk and records time to
 * first token and the gaps between chunks.
 */
export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  ttft_p50_ms?: number;
  ttft_p99_ms?: number;
  gap_p50_ms?: number;
  gap_p99_ms?: number;
}

export async function runLoad(opts: { url: string; body: string; headers?: Record<string, string>; concurrency: number; durationMs: number; stream: boolean }): Promise<LoadResult> {
  const lat: number[] = [];
  const ttft: number[] = [];
  const gaps: number[] = [];
  let errors = 0;
  const end = performance.now() + opts.durationMs;
  const headers = { 'content-type': 'application/json', authorization: 'Bearer bench', ...opts.headers };
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const res = await fetch(opts.url, { method: 'POST', headers, body: opts.body });
        if (!res.ok) {
          errors++;
          await res.arrayBuffer();
          continue;
        }
        if (opts.stream) {
          let last = 0;
          const reader = res.body!.getReader();
          for (;;) {
            const { done } = await reader.read();
            if (done) break;
            const now = performance.now();
            if (!last) ttft.push(now - t0);
            else gaps.push(now - last);
            last = now;
          }
        } else {
          await res.arrayBuffer();
        }
        lat.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const r: LoadResult = { requests: lat.length, errors, rps: Math.round(lat.length / elapsed), p50_ms: pct(lat, 50), p99_ms: pct(lat, 99) };
  if (opts.stream) Object.assign(r, { ttft_p50_ms: pct(ttft, 50), ttft_p99_ms: pct(ttft, 99), gap_p50_ms: pct(gaps, 50), gap_p99_ms: pct(gaps, 99) });
  return r;
}

export function pct(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 1000) / 1000;
}
