/** Every contender, set up (installed if missing) and described; unavailable ones say why. */
import { join } from 'node:path';
import { litellm } from './litellm.ts';
import { nginx } from './nginx.ts';
import { portkeys } from './portkey.ts';
import { tollgates } from './tollgate.ts';
import type { Contender, Ctx, Unavailable } from './types.ts';

export type { Contender, Ctx, Launch, Unavailable } from './types.ts';

function direct(ctx: Ctx): Contender {
  return {
    name: 'direct',
    describe: `the mock upstream itself (bench/mock-upstream.ts on Bun ${Bun.version}), no proxy: a fresh process per trial`,
    version: Bun.version,
    path: '/v1/chat/completions',
    headers: {},
    async launch(port) {
      return { cmd: [ctx.bun, join(ctx.root, 'bench/mock-upstream.ts'), '--port', String(port)] };
    },
  };
}

function bunPassthrough(ctx: Ctx): Contender {
  return {
    name: 'bun-passthrough',
    describe: `bench/contenders/bun-passthrough.ts on Bun ${Bun.version}: Bun.serve + fetch, body read and forwarded, response streamed back`,
    version: Bun.version,
    path: '/v1/chat/completions',
    headers: {},
    async launch(port) {
      return { cmd: [ctx.bun, join(ctx.root, 'bench/contenders/bun-passthrough.ts'), '--port', String(port), '--upstream', `http://${ctx.upstreamHost}`] };
    },
  };
}

export const CONTENDER_NAMES = ['direct', 'bun-passthrough', 'nginx', 'tollgate', 'tollgate-minimal', 'portkey', 'portkey-node', 'litellm'];

export async function setUpContenders(ctx: Ctx, tollgate: { bin: string; version: string }, only?: Set<string>): Promise<(Contender | Unavailable)[]> {
  const want = (...names: string[]) => !only || names.some((n) => only.has(n));
  // Installs run one after another: they share the network and two cores with nothing else yet.
  const out: (Contender | Unavailable)[] = [direct(ctx), bunPassthrough(ctx)];
  if (want('nginx')) out.push(await nginx(ctx));
  if (want('tollgate', 'tollgate-minimal')) out.push(...(await tollgates(ctx, tollgate.bin, tollgate.version)));
  if (want('portkey', 'portkey-node')) out.push(...(await portkeys(ctx)));
  if (want('litellm')) out.push(await litellm(ctx));
  return out.filter((c) => !only || only.has(c.name));
}
