/**
 * Non-streaming load with wrk (C, one thread: the least CPU taken from the contender on a
 * 2-core machine). wrk cannot see a stream's chunks, so streams use load.ts. A generated Lua
 * script sets the POST and prints the result as one JSON line from done().
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requestBody, type LoadResult } from './load.ts';

const lua = (s: string) => JSON.stringify(s); // a JSON string is a valid Lua string literal here (ASCII, no control chars)

export function wrkScript(dir: string, model: string, headers: Record<string, string>): string {
  const path = join(dir, `wrk-${model}-${Object.keys(headers).length}.lua`);
  const all = { 'content-type': 'application/json', ...headers };
  writeFileSync(
    path,
    `wrk.method = "POST"
wrk.body = ${lua(requestBody(model, false))}
${Object.entries(all).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`).join('\n')}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\n{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
`,
  );
  return path;
}

/** The result and the CPU time wrk itself used, ms. */
export async function runWrk(o: { wrk: string; script: string; url: string; concurrency: number; seconds: number }): Promise<{ result: LoadResult; cpuMs: number }> {
  const proc = Bun.spawn([o.wrk, '-t1', `-c${o.concurrency}`, `-d${Math.max(1, Math.round(o.seconds))}s`, '--timeout', '10s', '-s', o.script, o.url], { stdout: 'pipe', stderr: 'pipe' });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  const cpuMs = cpuOf(proc);
  const line = out.split('\n').find((l) => l.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk gave no result: ${(out + err).slice(0, 300)}`);
  const w = JSON.parse(line) as Record<string, number>;
  const errors = w.connect! + w.read! + w.write! + w.status! + w.timeout!;
  const seconds = w.duration_us! / 1e6;
  const ok = w.requests! - w.status!;
  const r: LoadResult = { requests: ok, errors, seconds: Math.round(seconds * 1000) / 1000, rps: Math.round(ok / seconds), p50_ms: w.p50_us! / 1000, p99_ms: w.p99_us! / 1000 };
  if (errors) r.first_error = `wrk: connect ${w.connect} read ${w.read} write ${w.write} status ${w.status} timeout ${w.timeout}`;
  return { result: r, cpuMs };
}

/** User + system CPU of an exited child, ms. */
export function cpuOf(proc: Bun.Subprocess): number {
  const u = proc.resourceUsage();
  return u ? Number(u.cpuTime.user + u.cpuTime.system) / 1000 : Number.NaN;
}
