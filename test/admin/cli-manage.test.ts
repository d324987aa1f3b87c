import { describe, expect, test } from 'bun:test';
import type { Command } from 'commander';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keysCommand } from '../../src/cli/keys.ts';
import { teamsCommand } from '../../src/cli/teams.ts';
import { usageCommand } from '../../src/cli/usage.ts';
import { usersCommand } from '../../src/cli/users.ts';
import type { Io } from '../../src/cli/parse-action.ts';
import { openStore } from '../../src/store/client.ts';
import { usage } from '../../src/store/schema.ts';
import { runCommand } from '../support/run-command.ts';

// The config sits in its own directory with a relative database URL and a provider whose
// secret is unset: the database commands must find ./data next to the file, and not care.
const dir = mkdtempSync(join(tmpdir(), 'tollgate-manage-'));
mkdirSync(join(dir, 'etc'));
const config = join(dir, 'etc', 'gateway.config.yaml');
const CONFIG_KEY_HASH = 'cd'.repeat(32);
writeFileSync(
  config,
  `database: { url: "file:./data/t.db" }\nproviders:\n  oa: { type: openai, api_key: \${TOLLGATE_TEST_UNSET_KEY} }\nkeys:\n  - { name: from-config, hash: "sha256:${CONFIG_KEY_HASH}" }\n`,
);
const dbFile = join(dir, 'etc', 'data', 't.db');

const COMMANDS: Record<string, (io: Io) => Command> = { keys: keysCommand, teams: teamsCommand, usage: usageCommand, users: usersCommand };

async function cli(...args: string[]): Promise<{ out: string; err: string; raw: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  let raw = '';
  const cmd = COMMANDS[args[0]!]!({ out: (t) => out.push(t), err: (t) => err.push(t), write: (t) => (raw += t) });
  const code = await runCommand(cmd, [...args.slice(1), '--config', config]);
  return { out: out.join('\n'), err: err.join('\n'), raw, code };
}
const lastLine = (s: string) => s.split('\n').at(-1);

describe('which database', () => {
  test('a read before anything exists refuses, naming the database; nothing is created', async () => {
    const r = await cli('keys', 'list');
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      `database: file:${dbFile} (database.url in ${config})`,
      `error: database file:${dbFile}: does not exist, so there is nothing to read (pass --config with your gateway's config file, or run where it is; keys create or serve creates the database)`,
    ]);
    expect(await Bun.file(dbFile).exists()).toBe(false);
  });

  test('a write creates it beside the config file, whatever the current directory', async () => {
    const r = await cli('keys', 'create', '--name', 'ci', '--team', 'ml', '--rpm', '60');
    expect(r.code).toBe(0);
    expect(r.err).toStartWith(`database: file:${dbFile} `);
    expect(await Bun.file(dbFile).exists()).toBe(true);
  });
});

describe('keys show, update, names', () => {
  test('show by name, text and json', async () => {
    const r = await cli('keys', 'show', 'ci');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^id:\s+key_/);
    expect(r.out).toContain('rpm:        60');
    expect(JSON.parse((await cli('keys', 'show', 'ci', '--format', 'json')).out)).toMatchObject({ name: 'ci', team: 'ml', rpm: 60 });
  });

  test('update changes what is given; none clears', async () => {
    const r = await cli('keys', 'update', 'ci', '--budget', '5/day', '--models', 'gpt-4o*,claude-*', '--tpm', '1000', '--rpm', 'none', '--expires', '7d', '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ rpm: null, tpm: 1000, models: ['gpt-4o*', 'claude-*'], budget: { micros: 5_000_000, period: 'day' } });
    const cleared = JSON.parse((await cli('keys', 'update', 'ci', '--expires', 'none', '--budget', 'none', '--format', 'json')).out) as { expires_at: string | null; budget: null };
    expect(cleared).toMatchObject({ expires_at: null, budget: null });
  });

  test('bad updates: exit 2 naming the flag', async () => {
    for (const [args, message] of [
      [['keys', 'update', 'ci'], 'give at least one of budget, budget_alerts, models, rpm, tpm, expires'],
      [['keys', 'update', 'ci', '--rpm', '0'], "--rpm: expected a positive integer or 'none', got '0' (to have no limit, pass --rpm none)"],
      [['keys', 'create', '--name', 'z', '--rpm', '0'], "error: --rpm: expected a positive integer, got '0' (to have no limit, leave --rpm out)"],
    ] as const) {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
    }
  });

  test('a duplicate live name is refused in one line', async () => {
    const r = await cli('keys', 'create', '--name', 'ci');
    expect(r.code).toBe(1);
    expect(lastLine(r.err)).toMatch(/^error: A key named 'ci' already exists \(key_\w+, tg-\w+\); choose another name, or rotate or revoke that key\.$/);
  });
});

describe('teams delete and users', () => {
  test('teams delete refuses while keys belong to it, says --force; --force revokes them', async () => {
    const refused = await cli('teams', 'delete', 'ml');
    expect(refused.code).toBe(1);
    expect(lastLine(refused.err)).toMatch(/^error: Team 'ml' still has 1 live key \(key_\w+\); revoke them first, or delete with --force to revoke them too\.$/);
    const forced = await cli('teams', 'delete', 'ml', '--force');
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/^deleted team ml; revoked 1 key: key_\w+$/);
    expect(JSON.parse((await cli('keys', 'show', 'ci', '--format', 'json')).out)).toMatchObject({ status: 'revoked', team: null });
    expect(lastLine((await cli('teams', 'delete', 'ml')).err)).toBe("error: No team 'ml'.");
  });

  test('users create, list, update, delete', async () => {
    expect((await cli('users', 'create', 'ana', '--name', 'Ana', '--email', 'ana@example.com', '--team', 'ops')).code).toBe(0);
    expect((await cli('users', 'create', 'ana')).code).toBe(1);
    expect((await cli('users', 'create', 'bo', '--email', 'nope')).err).toContain('--email: ');
    const upd = await cli('users', 'update', 'ana', '--email', 'none');
    expect(upd.out).toMatch(/ana\s+Ana\s+-\s+ops/);
    expect(JSON.parse((await cli('users', 'list', '--team', 'ops', '--format', 'json')).out)).toMatchObject([{ id: 'ana', email: null, team: 'ops' }]);
    await cli('keys', 'create', '--name', 'ana-laptop', '--user', 'ana');
    expect(lastLine((await cli('users', 'delete', 'ana')).err)).toContain('--force');
    expect((await cli('users', 'delete', 'ana', '--force')).out).toMatch(/^deleted user ana; revoked 1 key/);
  });
});

describe('usage', () => {
  test('config keys by name; --by "" prints the totals once; CSV lines all end in CRLF', async () => {
    const store = await openStore({ url: `file:${dbFile}` });
    await store.db.insert(usage).values([
      { requestId: 'u1', createdAt: Date.now() - 5000, endpoint: '/v1/chat/completions', keyName: 'from-config', keyHash: CONFIG_KEY_HASH, team: 'a,"b"', requestedModel: 'm', status: 200, outcome: 'ok', costMicros: 7 },
      { requestId: 'u2', createdAt: Date.now() - 4000, endpoint: '/v1/chat/completions', keyName: 'other', keyHash: 'ef'.repeat(32), requestedModel: 'm', status: 200, outcome: 'ok', costMicros: 5 },
    ]);
    store.close();

    const byName = JSON.parse((await cli('usage', '--key', 'from-config', '--by', '', '--format', 'json')).out) as { rows: unknown[]; totals: { requests: number; cost_micros: number } };
    expect(byName).toMatchObject({ rows: [], totals: { requests: 1, cost_micros: 7 } });

    const table = (await cli('usage', '--by', '')).out.split('\n');
    expect(table).toHaveLength(2);
    expect(table[1]).toMatch(/^\s+2\s/);

    const csv = (await cli('usage', '--by', 'team', '--format', 'csv')).raw;
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = csv.split('\r\n');
    expect(lines[0]).toStartWith('team,requests,');
    expect(lines).toContain('"a,""b""",1,0,0,0,0,7,0.000007,0');
    expect(lines.at(-2)).toStartWith('TOTAL,2,');
  });
});
