import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { anonymousExposure, isLoopback } from '../config/exposure.ts';
import type { GatewayConfig, ProviderConfig } from '../config/schema.ts';
import type { CompileCache } from '../policy/compile-cache.ts';
import { embeddedPolicySources } from '../policy/embedded/index.ts';
import { compilePolicySources, formatProblem, loadBundle, loadPolicies, type LoadResult } from '../policy/loader.ts';
import { displayDatabaseUrl } from '../server/banner.ts';
import { policySource } from '../server/policy-source.ts';
import { openStore } from '../store/client.ts';
import { MIGRATIONS } from '../store/migrations/index.ts';

/** One line of `tollgate doctor`: what was checked, how it went, and the fix when it did not. */
export interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

const ok = (name: string, detail: string): Check => ({ name, status: 'ok', detail });
const warn = (name: string, detail: string, fix?: string): Check => ({ name, status: 'warn', detail, fix });
const fail = (name: string, detail: string, fix: string): Check => ({ name, status: 'fail', detail, fix });
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/** Rejects after `ms` so a database or host that never answers cannot hang the doctor. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Reachable, migrations known (not written by a newer Tollgate), writable. Never migrates or writes. */
export async function checkDatabase(db: GatewayConfig['database'], timeoutMs = 5000): Promise<Check> {
  const name = 'database';
  const shown = displayDatabaseUrl(db.url);
  const fixUrl = 'check database.url (and database.auth_token) in the config';
  if (db.url.startsWith('file:') && !db.sync_url) {
    const file = resolve(db.url.slice('file:'.length));
    if (!existsSync(file)) {
      let dir = dirname(file);
      while (!existsSync(dir)) dir = dirname(dir);
      try {
        accessSync(dir, constants.W_OK);
        return ok(name, `${shown} does not exist yet; it is created (and migrated) at start`);
      } catch {
        return fail(name, `${shown} cannot be created: ${dir} is not writable`, `make ${dir} writable, or point database.url elsewhere`);
      }
    }
    try {
      accessSync(file, constants.R_OK | constants.W_OK);
    } catch {
      return fail(name, `${shown} is not writable`, `make ${file} readable and writable by this user`);
    }
  }
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  const opening = openStore(db);
  try {
    store = await within(timeoutMs, shown, opening);
    const client = store.client;
    await within(timeoutMs, shown, client.execute('SELECT 1'));
    const table = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'tollgate_migrations'");
    const applied = table.rows.length ? (await client.execute('SELECT tag FROM tollgate_migrations')).rows.map((r) => String(r.tag)) : [];
    const known = new Set(MIGRATIONS.map((m) => m.tag));
    const unknown = applied.filter((t) => !known.has(t));
    if (unknown.length) return fail(name, `${shown} was migrated by a newer Tollgate (unknown migrations: ${unknown.join(', ')})`, 'upgrade tollgate to the version that wrote it, or point database.url at another database');
    // Writable: a table created in a transaction that is rolled back, so nothing is left behind.
    const tx = await client.transaction('write');
    try {
      await tx.execute('CREATE TABLE tollgate_doctor_probe (x INTEGER)');
    } finally {
      await tx.rollback();
    }
    const pending = MIGRATIONS.length - applied.length;
    return ok(name, `${shown} reachable and writable; ${pending ? `${pending} migration(s) pending, applied at start` : 'schema up to date'}`);
  } catch (e) {
    // A server that answers after the timeout still gets its connection closed.
    if (!store) void opening.then((s) => s.close(), () => undefined);
    return fail(name, `${shown}: ${message(e)}`, fixUrl);
  } finally {
    store?.close();
  }
}

/** The URL requests to this provider go to; the only address the doctor contacts for it. */
export function providerBaseUrl(p: ProviderConfig): string | undefined {
  if (p.type === 'mock') return undefined;
  if (p.type === 'bedrock') return p.base_url ?? `https://bedrock-runtime.${p.region}.amazonaws.com`;
  return p.base_url;
}

function credentials(p: ProviderConfig): { present: boolean; text: string } {
  if (p.type === 'mock') return { present: true, text: 'no credentials needed' };
  if (p.type === 'bedrock') return { present: !!p.access_key_id && !!p.secret_access_key, text: `AWS access key set${p.session_token ? ' (with a session token)' : ''}` };
  const keys = p.api_keys?.length ?? (p.api_key ? 1 : 0);
  if (keys === 0) return { present: p.type === 'openai-compatible', text: 'no api_key (fine for a local server)' };
  return { present: true, text: keys > 1 ? `${keys} api_keys set` : 'api_key set' };
}

/**
 * Credentials present, and the base URL answers (any HTTP status counts: no credentials are
 * sent, so 401 and 404 are expected). Keys are never printed, and nothing but the configured
 * base URL is contacted.
 */
export async function checkProvider(name: string, p: ProviderConfig, timeoutMs = 3000): Promise<Check> {
  const label = `provider ${name}`;
  const cred = credentials(p);
  if (!cred.present) return fail(label, `${p.type}: no credentials`, `set api_key: \${ENV_VAR} under providers.${name}`);
  const base = providerBaseUrl(p);
  if (!base) return ok(label, `${p.type}, built in, answers in-process`);
  const shown = displayDatabaseUrl(base);
  try {
    const res = await fetch(base, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return ok(label, `${p.type}, ${cred.text}, ${shown} reachable (HTTP ${res.status} without credentials)`);
  } catch (e) {
    const why = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError') ? `no answer within ${timeoutMs / 1000} s` : message(e);
    return fail(label, `${p.type}, ${cred.text}, ${shown} unreachable: ${why}`, `check providers.${name}.base_url and the network, or remove the provider`);
  }
}

export function checkSkipped(skipped: { provider: string; missing: string[] }[]): Check[] {
  return skipped.map((s) => warn(`provider ${s.provider}`, `off: ${s.missing.join(', ')} not set`, `export ${s.missing.join(' and ')} to switch it on, or ignore this`));
}

/** Anonymous mode where others can reach it, and whether the admin API is on. */
export function checkServer(config: GatewayConfig, env: Record<string, string | undefined> = process.env): Check[] {
  const s = config.server;
  const exposed = anonymousExposure(s);
  const anon = exposed
    ? fail('server', `anonymous mode on ${s.host}: serve refuses to start`, 'bind to 127.0.0.1, turn server.allow_anonymous off, or set server.allow_anonymous_remote: true')
    : s.allow_anonymous
      ? !isLoopback(s.host)
        ? warn('server', `anonymous mode on ${s.host}: anyone who can reach it may use your providers`, 'turn server.allow_anonymous off and add keys for real use')
        : ok('server', `${s.host}:${s.port}, anonymous mode on (local trials; clients need no key)`)
      : ok('server', `${s.host}:${s.port}, clients need a key`);
  const admin = env.TOLLGATE_MASTER_KEY ? ok('admin API', 'on (TOLLGATE_MASTER_KEY is set)') : ok('admin API', 'off (set TOLLGATE_MASTER_KEY to enable /admin)');
  return [anon, admin];
}

/** The policies the gateway would load compile and pass their tests (a `cache` hit was compiled and tested before). */
export async function checkPolicies(config: GatewayConfig, configPath: string | undefined, cache?: CompileCache): Promise<Check> {
  if (!config.policy.enabled) return ok('policies', 'off (policy.enabled: false)');
  const src = policySource(config, configPath);
  const data = config.policy.data;
  let r: LoadResult;
  if ('bundle' in src) r = loadBundle({ bundle: src.bundle, data });
  else if ('dir' in src) r = await loadPolicies({ dir: src.dir, data, cache });
  else r = await compilePolicySources(embeddedPolicySources(), { data, cache });
  if (r.ok) return ok('policies', `${src.label}: compiled, tests ${r.policy.tests.passed}/${r.policy.tests.total} passed, revision ${r.policy.revision}${r.cached ? ' (cached)' : ''}`);
  const more = r.errors.length > 1 ? ` (and ${r.errors.length - 1} more)` : '';
  const dir = 'dir' in src ? src.dir : '<dir>';
  return fail('policies', `${src.label}: ${formatProblem(r.errors[0]!)}${more}`, `fix the policy; \`tollgate policy check ${dir}\` lists every problem`);
}
