/**
 * The compiled binary (built by the run from a snapshot of the tree, see run.ts), twice:
 *   tollgate          everything on: a virtual key (made with the CLI in a fresh libSQL file)
 *                     sent as Bearer with a budget and a rate limit, the default policies,
 *                     budget reservation, usage logging to the file, the decision log and
 *                     metrics (both on by default), the response cache configured but missing
 *                     (a read that always misses), and the default log level (a line per request);
 *   tollgate-minimal  anonymous, policy off, usage ledger off, log level warn.
 */
import { Database } from 'bun:sqlite';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../lib/install.ts';
import { BENCH_MODELS } from '../scenarios.ts';
import type { Contender, Ctx, Unavailable } from './types.ts';

function config(ctx: Ctx, port: number, dir: string, extra: string): string {
  const models = BENCH_MODELS.map((m) => `  ${m}: { provider: up, model: ${m} }`).join('\n');
  // Priced like a small model, so budget reservation and settlement do real arithmetic.
  const prices = BENCH_MODELS.map((m) => `  ${m}: { input: 0.15, output: 0.6 }`).join('\n');
  return `server: { host: 127.0.0.1, port: ${port} }
database: { url: 'file:${dir}/tollgate.db' }
providers:
  up: { type: openai-compatible, base_url: 'http://${ctx.upstreamHost}/v1' }
models:
${models}
prices:
${prices}
${extra}`;
}

/** What the gateway left in its database: usage rows (the ledger) and spend booked against budgets. */
function ledgerRows(dir: string): { usage: number; booked: number; spentUsd: number } {
  const file = join(dir, 'tollgate.db');
  if (!existsSync(file)) return { usage: 0, booked: 0, spentUsd: 0 };
  const db = new Database(file, { readonly: true });
  try {
    const usage = (db.query('SELECT count(*) AS n FROM usage').get() as { n: number }).n;
    // The key's monthly budget: requests and spend booked against it (by reservation or lease).
    const s = db.query("SELECT coalesce(sum(requests), 0) AS n, coalesce(sum(spent_micros), 0) AS m FROM spend WHERE scope = 'key' AND period = 'month'").get() as { n: number; m: number };
    return { usage, booked: s.n, spentUsd: s.m / 1e6 };
  } finally {
    db.close();
  }
}

/** Whether this binary's config schema has `ledger.enabled` (the switch that turns usage logging off). */
async function hasLedgerSwitch(bin: string, dir: string): Promise<boolean> {
  const file = join(dir, 'probe.yaml');
  writeFileSync(file, 'providers: { m: { type: mock } }\nledger: { enabled: false }\n');
  const r = await run([bin, 'config', 'check', file], { timeoutMs: 30_000, cwd: dir });
  return r.code === 0;
}

export async function tollgates(ctx: Ctx, bin: string, version: string): Promise<(Contender | Unavailable)[]> {
  if (!existsSync(bin)) return ['tollgate', 'tollgate-minimal'].map((name) => ({ name, unavailable: `${bin} not built` }));
  const mb = (statSync(bin).size / 1024 / 1024).toFixed(1);
  const ledgerSwitch = await hasLedgerSwitch(bin, ctx.work);
  const full: Contender = {
    name: 'tollgate',
    describe: `compiled tollgate ${version} (${mb} MB): virtual key (Bearer) from \`keys create --budget 1000000/month --rpm 100000000\` (a rate limit that counts every request and never refuses one), built-in default policies, budget reservation, usage ledger in a libSQL file, decision log and metrics (on by default), the response cache configured but missing (policy data turns on \`cache: {mode: read}\` for every bench model; nothing is written, so each request looks up and misses), log level info`,
    version,
    path: '/v1/chat/completions',
    headers: {},
    async launch(port, dir) {
      const file = join(dir, 'gateway.config.yaml');
      // The response cache configured but missing: the default policies read it for every bench
      // model (mode read, nothing ever written), so every request pays a lookup that misses.
      const cacheData = BENCH_MODELS.map((m) => `      ${m}: { cache: { mode: read } }`).join('\n');
      writeFileSync(file, config(ctx, port, dir, `logging: { level: info }\npolicy:\n  data:\n    cache_models:\n${cacheData}\n`));
      const r = await run([bin, 'keys', 'create', '--config', file, '--name', 'bench', '--budget', '1000000/month', '--rpm', '100000000', '--format', 'json'], { timeoutMs: 60_000, cwd: dir });
      if (r.code !== 0) throw new Error(`tollgate keys create failed: ${r.out.slice(0, 300)}`);
      const key = (JSON.parse(r.out.slice(r.out.indexOf('{'), r.out.lastIndexOf('}') + 1)) as { key: string }).key;
      return { cmd: [bin, 'serve', '--config', file], cwd: dir, headers: { authorization: `Bearer ${key}` } };
    },
    verify(dir, requests) {
      const rows = ledgerRows(dir);
      // Every measured request is in the ledger and booked against the key's budget (warm-up and checks add more).
      const what = `${rows.usage} usage rows, ${rows.booked} requests ($${rows.spentUsd.toFixed(4)}) booked on the key's monthly budget, for ${requests} measured requests`;
      if (rows.usage < requests || rows.booked < requests) throw new Error(what);
      return what;
    },
  };
  const minimal: Contender = {
    name: 'tollgate-minimal',
    describe: ledgerSwitch
      ? `compiled tollgate ${version}: anonymous, \`policy: { enabled: false }\`, \`ledger: { enabled: false }\`, log level warn`
      : `compiled tollgate ${version}: anonymous, \`policy: { enabled: false }\`, log level warn; this binary has no ledger switch, so usage goes to \`:memory:\` (an approximation of logging off)`,
    version,
    path: '/v1/chat/completions',
    headers: {},
    async launch(port, dir) {
      const file = join(dir, 'gateway.config.yaml');
      let yaml = config(ctx, port, dir, 'logging: { level: warn }\npolicy: { enabled: false }\n' + (ledgerSwitch ? 'ledger: { enabled: false }\n' : ''));
      yaml = yaml.replace('server: { host: 127.0.0.1,', 'server: { host: 127.0.0.1, allow_anonymous: true,');
      if (!ledgerSwitch) yaml = yaml.replace(/database: .*\n/, "database: { url: ':memory:' }\n");
      writeFileSync(file, yaml);
      return { cmd: [bin, 'serve', '--config', file], cwd: dir };
    },
    verify(dir, requests) {
      const rows = ledgerSwitch ? ledgerRows(dir) : { usage: 0, booked: 0, spentUsd: 0 };
      if (rows.usage) throw new Error(`logging is meant to be off, yet the database has ${rows.usage} usage rows`);
      return `0 usage rows for ${requests} measured requests`;
    },
  };
  return [full, minimal];
}
