import type { Runtime } from '../config/runtime.ts';

/** What the start-up message names besides the catalog: where config, data and policy come from. */
export interface BannerFacts {
  /** The config file, or undefined for the embedded defaults. */
  configPath?: string;
  databaseUrl: string;
  /** The policy source and revision, or undefined when `policy.enabled: false`. */
  policy?: { source: string; revision: string };
  /** TOLLGATE_MASTER_KEY is set. */
  adminApi: boolean;
}

/** The start-up message: where it listens, what it runs with, and a curl to try. */
export function banner(url: string, rt: Runtime, facts: BannerFacts): string {
  const models = rt.catalog.list().filter((e) => e.model.kind === 'chat');
  // The first chat model of the config, so the default config's curl is the README's.
  const example = models[0]?.name ?? 'mock-gpt';
  const anonymous = rt.config.server.allow_anonymous;
  return [
    `Tollgate listening on ${url}`,
    `  config:    ${facts.configPath ?? 'embedded defaults (no ./gateway.config.yaml; `tollgate init` writes one)'}`,
    `  database:  ${displayDatabaseUrl(facts.databaseUrl)}`,
    `  policy:    ${facts.policy ? `revision ${facts.policy.revision} from ${facts.policy.source}` : 'off (policy.enabled: false)'}`,
    `  admin API: ${facts.adminApi ? 'on (TOLLGATE_MASTER_KEY is set)' : 'off (set TOLLGATE_MASTER_KEY to enable /admin)'}`,
    `  anonymous: ${anonymous ? 'ON: any client may call without a key (server.allow_anonymous)' : 'off: clients need a key'}`,
    `  providers: ${[...rt.adapters.keys()].join(', ') || '(none)'}`,
    `  models:    ${models.map((m) => m.name).join(', ') || '(none)'}`,
    '',
    'Try it:',
    `  curl ${url}/v1/chat/completions \\`,
    `    -H 'authorization: Bearer ${anonymous ? 'anything' : '<your-key>'}' -H 'content-type: application/json' \\`,
    `    -d '{"model":"${example}","messages":[{"role":"user","content":"Hello"}]}'`,
    '',
  ].join('\n');
}

/** A database URL without credentials (user:password@, ?authToken=…). */
export function displayDatabaseUrl(raw: string): string {
  if (!/^[a-z]+:\/\//i.test(raw)) return raw;
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return raw.replace(/\?.*$/, '');
  }
}
