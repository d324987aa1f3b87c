import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.ts';
import { startGateway, type Gateway } from '../../src/server/start.ts';
import { silentLogger, type Logger } from '../../src/lib/logger.ts';
import type { Clock } from '../../src/lib/clock.ts';

/** Starts a real gateway on a free port from a config object (as it would be written in YAML). */
export async function startTestGateway(config: Record<string, unknown>, opts: { logger?: Logger; env?: Record<string, string>; clock?: Clock; leaseClock?: Clock } = {}): Promise<Gateway> {
  // Policies are off unless a test asks for them: compiling Rego costs ~1 s per gateway.
  const text = stringify({ server: { host: '127.0.0.1', port: 0, allow_anonymous: true }, database: { url: ':memory:' }, policy: { enabled: false }, ...config });
  return startGateway({
    source: { load: async () => parseConfig(text, 'test.config.yaml', opts.env ?? {}) },
    logger: opts.logger ?? silentLogger,
    signals: false,
    quiet: true,
    clock: opts.clock,
    leaseClock: opts.leaseClock,
  });
}

/**
 * A gateway whose policy is one Rego file (written to dir/policies) and whose database is a file
 * in `dir` (dir/db.sqlite, for the test to read), with one client key; `config` adds the rest.
 */
export async function startPolicyGateway(dir: string, policy: string, key: { name: string; team?: string; hash: string }, config: Record<string, unknown>): Promise<Gateway> {
  mkdirSync(join(dir, 'policies'), { recursive: true });
  writeFileSync(join(dir, 'policies', 'decision.rego'), policy);
  return startTestGateway({
    server: { host: '127.0.0.1', port: 0 },
    database: { url: `file:${join(dir, 'db.sqlite')}` },
    ledger: { flush_ms: 20 },
    keys: [key],
    policy: { dir: join(dir, 'policies'), watch: false },
    ...config,
  });
}
