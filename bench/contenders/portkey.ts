/**
 * Portkey's open-source gateway (npm @portkey-ai/gateway), headless, routed to the mock by its
 * x-portkey-provider and x-portkey-custom-host headers. Bun is its best runtime here; Node is
 * measured for reference.
 */
import { join } from 'node:path';
import { ensureNpm, which } from '../lib/install.ts';
import type { Contender, Ctx, Unavailable } from './types.ts';

export const PORTKEY_VERSION = '1.15.2';

export async function portkeys(ctx: Ctx): Promise<(Contender | Unavailable)[]> {
  const dir = join(ctx.work, 'portkey');
  const got = await ensureNpm(dir, '@portkey-ai/gateway', PORTKEY_VERSION);
  if (!got.ok) return ['portkey', 'portkey-node'].map((name) => ({ name, unavailable: got.reason }));
  const entry = join(dir, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  const headers = { authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `http://${ctx.upstreamHost}/v1` };
  const make = (name: string, runtime: string, runtimeName: string): Contender => ({
    name,
    describe: `@portkey-ai/gateway ${got.version} on ${runtimeName}: start-server.js --headless, provider openai with x-portkey-custom-host`,
    version: got.version,
    path: '/v1/chat/completions',
    headers,
    async launch(port) {
      return { cmd: [runtime, entry, '--headless', `--port=${port}`], cwd: dir };
    },
  });
  const node = which('node');
  const nodeVersion = node ? (await Bun.$`${node} --version`.quiet().nothrow()).stdout.toString().trim() : '';
  return [
    make('portkey', ctx.bun, `Bun ${Bun.version}`),
    node ? make('portkey-node', node, `Node ${nodeVersion}`) : { name: 'portkey-node', unavailable: 'node not found' },
  ];
}
