import type { GatewayConfig } from './schema.ts';

/** Settings read once at start (the listening socket, the logger, the database, the policy source). */
export const RESTART_FIELDS = ['server.host', 'server.port', 'server.tls', 'server.body_timeout_ms', 'logging.level', 'logging.format', 'database', 'ledger', 'policy.enabled', 'policy.dir', 'policy.bundle', 'policy.watch', 'policy.decision_log', 'metrics.enabled', 'tracing', 'cache.semantic'] as const;

type Tree = Record<string, unknown>;

const get = (cfg: GatewayConfig, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Tree)[k] : undefined), cfg);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface ReloadPlan {
  /** The config to swap in: the edit, with the settings that need a restart kept as they run. */
  config: GatewayConfig;
  /** Settings the edit changes that only a restart applies. */
  restart: string[];
  /** Whether anything a reload does apply changed. */
  changed: boolean;
}

/** Splits an edit into what a reload applies and what needs a restart. */
export function planReload(started: GatewayConfig, current: GatewayConfig, next: GatewayConfig): ReloadPlan {
  const restart = RESTART_FIELDS.filter((f) => !same(get(started, f), get(next, f)));
  const config = structuredClone(next);
  for (const f of RESTART_FIELDS) {
    const keys = f.split('.');
    const last = keys.pop()!;
    const parent = keys.reduce<Tree>((o, k) => o[k] as Tree, config as unknown as Tree);
    const value = get(started, f);
    if (value === undefined) delete parent[last];
    else parent[last] = structuredClone(value);
  }
  return { config, restart, changed: !same(config, current) };
}
