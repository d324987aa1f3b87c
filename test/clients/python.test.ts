import { resolve } from 'node:path';
import { ensurePythonSdk, ensureTiktokenCache } from '../../scripts/ensure-python-sdk.ts';
import { Matrix, ROUTES, useStage } from './harness.ts';

// The Python clients (pinned in scripts/ensure-python-sdk.ts), one script per client: each
// script runs all its cells on every route and prints a JSON list of results, which become one
// bun test per cell here. Offline stand-ins for two downloads, nothing else differs from the
// defaults: litellm uses its bundled model-cost map instead of fetching one from GitHub at
// import, and tiktoken finds its BPE files (byte-identical, hash-checked) in TIKTOKEN_CACHE_DIR.
const matrix = new Matrix('Python (openai 3.3.0, anthropic 2.15.0, langchain-openai 1.7.4, litellm 1.110.2, instructor 1.17.0, openai-agents 0.24.0)');
const stage = useStage(matrix);

const CLIENTS: { name: string; script: string; features: string[] }[] = [
  { name: 'openai (py)', script: 'openai_sdk.py', features: ['sync', 'async', 'stream', 'parse', 'tools', 'embeddings', 'responses.create', 'responses.stream', 'responses.parse', 'responses tools + previous_response_id'] },
  { name: 'anthropic (py)', script: 'anthropic_sdk.py', features: ['create', 'stream', 'tools', 'count_tokens', 'parse'] },
  {
    name: 'langchain-openai',
    script: 'langchain_openai_client.py',
    features: [
      'invoke',
      'stream',
      'bind_tools round trip',
      'with_structured_output function_calling',
      'with_structured_output json_schema',
      'with_structured_output json_mode',
      'embeddings',
      'responses api invoke',
      'responses api stream',
      'responses api bind_tools round trip',
    ],
  },
  { name: 'openai-agents (py)', script: 'openai_agents_client.py', features: ['agent + function tool, multi-turn'] },
  { name: 'litellm', script: 'litellm_client.py', features: ['completion', 'stream', 'tools', 'response_format', 'embeddings'] },
  { name: 'instructor', script: 'instructor_client.py', features: ['response_model', 'response_model stream (Partial)'] },
];

type Result = { route: string; feature: string; error: string | null };
let run: Promise<Record<string, Result[] | { error: string }>> | undefined;

/**
 * Runs every client's script once (the first cell to ask starts them) and parses their JSON: one
 * python process imports the client libraries once and forks a child per script
 * (py/all_clients.py), all running at once, each as `python3 <script> <url>` would run.
 */
async function results(script: string): Promise<Result[]> {
  run ??= (async () => {
    const tiktoken = await ensureTiktokenCache();
    const p = Bun.spawn(['python3', resolve(import.meta.dir, 'py', 'all_clients.py'), stage.url, ...CLIENTS.map((c) => c.script)], {
      cwd: resolve(import.meta.dir, 'py'),
      env: { ...process.env, PYTHONPATH: ensurePythonSdk(), PYTHONDONTWRITEBYTECODE: '1', LITELLM_LOCAL_MODEL_COST_MAP: 'True', TIKTOKEN_CACHE_DIR: tiktoken },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    const last = out.trim().split('\n').at(-1) ?? '';
    if (code !== 0 || !last.startsWith('{')) throw new Error(`all_clients.py exited ${code}: ${err.slice(-1500)}`);
    return JSON.parse(last) as Record<string, Result[] | { error: string }>;
  })();
  const mine = (await run)[script];
  if (!mine) throw new Error(`${script} reported nothing`);
  if (!Array.isArray(mine)) throw new Error(`${script} failed: ${mine.error}`);
  return mine;
}

for (const c of CLIENTS) {
  for (const route of ROUTES) {
    for (const feature of c.features) {
      matrix.cell(
        c.name,
        route,
        feature,
        async () => {
          const r = (await results(c.script)).find((x) => x.route === route && x.feature === feature);
          if (!r) throw new Error(`${c.script} reported no result for ${route} · ${feature}`);
          if (r.error !== null) throw new Error(r.error);
        },
        120_000,
      );
    }
  }
}
