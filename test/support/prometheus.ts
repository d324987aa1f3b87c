import { resolve } from 'node:path';
import { ensurePythonSdk } from '../../scripts/ensure-python-sdk.ts';

export interface PromSample {
  family: string;
  type: string;
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses a Prometheus text exposition with Prometheus's own Python client; throws on text it rejects. */
export async function parsePrometheus(text: string): Promise<PromSample[]> {
  const p = Bun.spawn(['python3', resolve(import.meta.dir, 'prom_parse.py')], { env: { ...process.env, PYTHONPATH: ensurePythonSdk() }, stdin: new Blob([text]), stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`prometheus_client rejected the exposition: ${err.slice(-2000)}`);
  return JSON.parse(out) as PromSample[];
}

/** Sum of the values of samples named `name` whose labels include `want` (a missing label is ""). */
export function sumOf(samples: PromSample[], name: string, want: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(want).every(([k, v]) => (s.labels[k] ?? '') === v)).reduce((t, s) => t + s.value, 0);
}
