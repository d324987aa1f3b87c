import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Command } from 'commander';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { keysCommand } from '../../src/cli/keys.ts';
import { teamsCommand } from '../../src/cli/teams.ts';
import { usageCommand } from '../../src/cli/usage.ts';
import type { Io } from '../../src/cli/parse-action.ts';
import { openStore, type Store } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createKey } from '../../src/store/keys.ts';
import { usage } from '../../src/store/schema.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { runCommand } from '../support/run-command.ts';

const ROOT = resolve(import.meta.dir, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
const config = join(dir, 'gateway.config.yaml');
writeFileSync(config, `database: { url: "file:${join(dir, 'db.sqlite')}" }\nproviders: { mock: { type: mock } }\nmodels: { chat: { provider: mock, model: mock/ok } }\n`);
let store: Store;

beforeAll(async () => {
  store = await openStore({ url: `file:${join(dir, 'db.sqlite')}` });
  await migrate(store.client);
});
afterAll(() => store.close());

const COMMANDS: Record<string, (io: Io) => Command> = { keys: keysCommand, teams: teamsCommand, usage: usageCommand };

/** Runs `tollgate <args> --config <tmp>` in-process and captures what it prints and its exit code. */
async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const cmd = COMMANDS[args[0]!]!({ out: (t) => out.push(t), err: (t) => err.push(t), write: (t) => out.push(t.replace(/\r\n$/, '')) });
  const code = await runCommand(cmd, [...args.slice(1), '--config', config]);
  return { out: out.join('\n'), err: err.join('\n'), code };
}

const count = (text: string, s: string) => text.split(s).length - 1;
const plaintextKeys: string[] = [];

describe('tollgate keys', () => {
  test('create prints the key once with a warning; list never shows it', async () => {
    const r = await cli('keys', 'create', '--name', 'ci', '--team', 'ml', '--budget', '50/month', '--models', 'gpt-4o*', '--rpm', '60', '--tpm', '100000', '--expires', '30d');
    expect(r.code).toBe(0);
    const key = /key:\s+(tg-\S+)/.exec(r.out)![1]!;
    plaintextKeys.push(key);
    expect(count(r.out + r.err, key)).toBe(1);
    expect(r.err).toContain('shown once');

    const table = await cli('keys', 'list');
    expect(table.out).not.toContain(key);
    const line = table.out.split('\n').find((l) => l.startsWith(key.slice(0, 10)))!;
    for (const cell of ['ci', 'ml', 'gpt-4o*', '$50/month', '60 rpm, 100000 tpm', 'active']) expect(line).toContain(cell);

    const json = await cli('keys', 'list', '--format', 'json');
    expect(json.out).not.toContain(key);
    const rows = JSON.parse(json.out) as { prefix: string; budget: { micros: number }; status: string }[];
    expect(rows.find((k) => k.prefix === key.slice(0, 10))).toMatchObject({ budget: { micros: 50_000_000 }, status: 'active' });
  });

  test('create --format json gives the key and record for scripts', async () => {
    const r = await cli('keys', 'create', '--name', 'script', '--format', 'json', '--user', 'ana', '--tags', 'a,b');
    const { key, record } = JSON.parse(r.out) as { key: string; record: { user: string; tags: string[] } };
    plaintextKeys.push(key);
    expect(record).toMatchObject({ user: 'ana', tags: ['a', 'b'] });
  });

  test('revoke by prefix, rotate with a grace; list shows each status', async () => {
    const a = JSON.parse((await cli('keys', 'create', '--name', 'to-revoke', '--team', 'ops', '--format', 'json')).out) as { key: string; record: { id: string; prefix: string } };
    const b = JSON.parse((await cli('keys', 'create', '--name', 'to-rotate', '--team', 'ops', '--format', 'json')).out) as { key: string; record: { id: string } };
    plaintextKeys.push(a.key, b.key);
    await createKey(store, { name: 'stale', team: 'ops', expiresAt: Date.now() - 1 });

    expect((await cli('keys', 'revoke', a.record.prefix)).out).toContain(`revoked ${a.record.id}`);
    const rot = await cli('keys', 'rotate', b.record.id, '--grace', '2h');
    expect(rot.code).toBe(0);
    const newKey = /key:\s+(tg-\S+)/.exec(rot.out)![1]!;
    plaintextKeys.push(newKey);
    expect(count(rot.out + rot.err, newKey)).toBe(1);
    expect(rot.out).toContain(`old key ${b.record.id}`);

    const statuses = async (...flags: string[]) =>
      (JSON.parse((await cli('keys', 'list', '--team', 'ops', '--format', 'json', ...flags)).out) as { name: string; status: string }[]).map((k) => `${k.name}:${k.status}`).sort();
    expect(await statuses()).toEqual(['stale:expired', 'to-rotate:active', 'to-rotate:rotating']);
    const all = await statuses('--all');
    expect(all).toEqual(['stale:expired', 'to-revoke:revoked', 'to-rotate:active', 'to-rotate:rotating']);
  });

  test('unknown keys fail with exit 1 and a one-line message', async () => {
    const r = await cli('keys', 'revoke', 'key_nope');
    expect(r).toEqual({ out: '', err: `database: file:${join(dir, 'db.sqlite')} (database.url in ${config})\nerror: No key 'key_nope'.`, code: 1 });
  });

  test('the database file holds no plaintext key', () => {
    expect(plaintextKeys.length).toBeGreaterThanOrEqual(5);
    const db = readdirSync(dir).filter((f) => f.startsWith('db.sqlite')).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('\n');
    for (const k of plaintextKeys) {
      expect(db.includes(k)).toBe(false);
      expect(db.includes(k.slice(0, 10))).toBe(true);
    }
  });
});

describe('tollgate teams', () => {
  test('create, update (none clears) and list', async () => {
    expect((await cli('teams', 'create', 'research', '--budget', '10.5/week', '--rpm', '100', '--models', 'claude-*')).code).toBe(0);
    expect((await cli('teams', 'create', 'research')).code).toBe(1);
    const upd = await cli('teams', 'update', 'research', '--rpm', 'none', '--tpm', '5000', '--budget', '20/month');
    expect(upd.code).toBe(0);
    const teams = JSON.parse((await cli('teams', 'list', '--format', 'json')).out) as { id: string; rpm: number | null; tpm: number | null; budget: { micros: number; period: string } }[];
    expect(teams.find((t) => t.id === 'research')).toMatchObject({ rpm: null, tpm: 5000, budget: { micros: 20_000_000, period: 'month' } });
    expect((await cli('teams', 'list')).out).toContain('$20/month');
  });
});

describe('tollgate usage', () => {
  const since = Date.now() - 3_600_000;
  let expected = { requests: 0, input: 0, output: 0, cost: 0, errors: 0 };

  beforeAll(async () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({
      requestId: `cli-${i}`,
      createdAt: since + 1000 * (i + 1),
      endpoint: '/v1/chat/completions',
      team: i % 3 === 0 ? 'ml' : 'ops',
      requestedModel: i % 2 ? 'chat' : 'embed',
      status: i % 7 === 0 ? 502 : 200,
      outcome: i % 7 === 0 ? 'upstream_error' : 'ok',
      inputTokens: 13 * i + 1,
      outputTokens: 7 * i,
      costMicros: 123_457 * i + 1,
    }));
    await store.db.insert(usage).values(rows);
    expected = {
      requests: rows.length,
      input: rows.reduce((n, r) => n + r.inputTokens, 0),
      output: rows.reduce((n, r) => n + r.outputTokens, 0),
      cost: rows.reduce((n, r) => n + r.costMicros, 0),
      errors: rows.filter((r) => r.outcome !== 'ok').length,
    };
  });

  test('json totals equal the sum of the rows inserted', async () => {
    const r = await cli('usage', '--by', 'team,model', '--since', '2h', '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { rows: { requests: number; cost_micros: number }[]; totals: Record<string, number | string> };
    expect(report.totals).toMatchObject({ requests: expected.requests, input_tokens: expected.input, output_tokens: expected.output, cost_micros: expected.cost, errors: expected.errors });
    expect(report.totals.cost_usd).toBe(`${Math.floor(expected.cost / 1e6)}.${String(expected.cost % 1e6).padStart(6, '0')}`);
    expect(report.rows).toHaveLength(4);
    expect(report.rows.reduce((n, x) => n + x.cost_micros, 0)).toBe(expected.cost);
  });

  test('csv parses, with a totals line', async () => {
    const r = await cli('usage', '--by', 'team', '--since', '2h', '--format', 'csv');
    const [header, ...lines] = r.out.split('\r\n').map((l) => l.split(','));
    const col = (name: string) => header!.indexOf(name);
    const total = lines.at(-1)!;
    expect(total[0]).toBe('TOTAL');
    expect(Number(total[col('requests')])).toBe(expected.requests);
    expect(Number(total[col('cost_micros')])).toBe(expected.cost);
    expect(lines.slice(0, -1).reduce((n, l) => n + Number(l[col('requests')]), 0)).toBe(expected.requests);
  });

  test('the table ends with a totals row in USD to 6 decimals', async () => {
    const r = await cli('usage', '--by', 'day', '--since', '2h');
    const last = r.out.split('\n').at(-1)!;
    expect(last).toStartWith('TOTAL');
    expect(last).toContain(String(expected.requests));
    expect(last).toMatch(/\d+\.\d{6}/);
  });
});

describe('invalid flags: a clear message and exit code 2', () => {
  const cases: [string[], string][] = [
    [['keys', 'create', '--name', 'x', '--budget', '50/mnth'], '--budget: expected a budget like 50/month'],
    [['keys', 'create', '--name', 'x', '--expires', '3x'], '--expires: expected a duration'],
    [['keys', 'create', '--name', 'x', '--rpm', 'sixty'], '--rpm: expected a positive integer'],
    [['keys', 'create', '--name', 'x', '--metadata', '{oops'], '--metadata: expected a JSON object'],
    [['keys', 'create', '--budget', '5/day'], "required option '--name <name>'"],
    [['keys', 'rotate', 'key_x', '--grace', 'soon'], '--grace: expected a duration'],
    [['keys', 'list', '--format', 'xml'], '--format: expected table or json'],
    [['keys', 'list', '--bogus'], "unknown option '--bogus'"],
    [['teams', 'update', 'ml', '--rpm', '-1'], '--rpm: expected a positive integer'],
    [['usage', '--by', 'team,colour'], "--by: unknown dimension 'colour'"],
    [['usage', '--since', 'yesterday'], '--since: expected a duration'],
  ];
  for (const [args, message] of cases) {
    test(args.join(' '), async () => {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(r.err).not.toMatch(/^\s+at /m);
    });
  }
});

describe('the real CLI process', () => {
  const run = (...args: string[]) => Bun.spawnSync([process.execPath, 'src/main.ts', ...args, '--config', config], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  // One process per kind of exit (0, 2, 1); the other cases of a kind run src/main.ts's runCli
  // in-process, with the same cwd and environment (a process costs ~0.5 s of CPU to start).
  const inProcess = async (...args: string[]) => {
    const r = await runCliInProcess([...args, '--config', config], { cwd: ROOT, env: { ...(process.env as Record<string, string>), NO_COLOR: '1' } });
    return { exitCode: r.code, stdout: r.out, stderr: r.err };
  };

  test('keys create prints the key once and exits 0', async () => {
    const p = run('keys', 'create', '--name', 'spawned', '--budget', '1/day');
    const out = p.stdout.toString();
    const key = /key:\s+(tg-\S+)/.exec(out)![1]!;
    expect(p.exitCode).toBe(0);
    expect(count(out + p.stderr.toString(), key)).toBe(1);
    expect((await inProcess('keys', 'list')).stdout).not.toContain(key);
  });

  test('bad flags exit 2 without a stack trace; a failed lookup exits 1', async () => {
    const bad = [['keys', 'create', '--name', 'x', '--budget', 'lots'], ['usage', '--by', 'nope'], ['keys', 'rotate', 'key_x', '--grace', '1y']];
    const spawned = run(...bad[0]!);
    const results = [{ exitCode: spawned.exitCode, stderr: spawned.stderr.toString() }];
    for (const args of bad.slice(1)) results.push(await inProcess(...args));
    for (const p of results) {
      expect(p.exitCode).toBe(2);
      expect(p.stderr).toStartWith('error: ');
      expect(p.stderr).not.toMatch(/^\s+at /m);
    }
    const missing = run('keys', 'revoke', 'key_missing');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr.toString().trim().split('\n').at(-1)).toBe("error: No key 'key_missing'.");
  });
});
