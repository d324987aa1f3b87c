/**
 * LiteLLM's proxy (PyPI litellm[proxy]) in a venv under bench/.work: spend logs off, retries
 * off, no database, one uvicorn worker per core, the price map read locally (no network).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureVenv } from '../lib/install.ts';
import { BENCH_MODELS } from '../scenarios.ts';
import type { Contender, Ctx, Unavailable } from './types.ts';

// The newest release whose requirements resolve against the registry this machine reaches
// (1.106.4 and later require a certifi that is not published there).
export const LITELLM_VERSION = '1.106.2';

// LiteLLM refuses to start without a master key; with one it authenticates every request, as Tollgate does.
const MASTER_KEY = 'sk-bench-5f0c9a7e3b1d4e6f8a2c0b9d7e5f3a1c';

export async function litellm(ctx: Ctx): Promise<Contender | Unavailable> {
  const venv = join(ctx.work, 'litellm-venv');
  const got = await ensureVenv(venv, 'litellm', `litellm[proxy]==${LITELLM_VERSION}`, LITELLM_VERSION);
  if (!got.ok) return { name: 'litellm', unavailable: got.reason };
  return {
    name: 'litellm',
    describe: `litellm[proxy] ${got.version} (Python venv): num_workers ${ctx.cores}, num_retries 0, disable_spend_logs, no database, a master key as the one client key`,
    version: got.version,
    path: '/v1/chat/completions',
    headers: { authorization: `Bearer ${MASTER_KEY}` },
    async launch(port, dir) {
      const file = join(dir, 'litellm.yaml');
      const models = BENCH_MODELS.map((m) => `  - model_name: ${m}\n    litellm_params: { model: openai/${m}, api_base: 'http://${ctx.upstreamHost}/v1', api_key: sk-bench }`).join('\n');
      writeFileSync(
        file,
        `model_list:
${models}
litellm_settings:
  num_retries: 0
  request_timeout: 600
  telemetry: false
router_settings:
  num_retries: 0
general_settings:
  master_key: ${MASTER_KEY}
  disable_spend_logs: true
`,
      );
      return {
        cmd: [join(venv, 'bin', 'litellm'), '--config', file, '--host', '127.0.0.1', '--port', String(port), '--num_workers', String(ctx.cores), '--telemetry', 'False'],
        cwd: dir,
        env: { LITELLM_LOCAL_MODEL_COST_MAP: 'True', LITELLM_LOG: 'ERROR', PYTHONUNBUFFERED: '1' },
      };
    },
  };
}
