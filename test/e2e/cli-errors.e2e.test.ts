import { describe, expect, setDefaultTimeout, test } from 'bun:test';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../../src/store/client.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { childEnv } from '../support/child-env.ts';

// The CLI, run from empty directories with no provider secrets set: every failure is one line
// that names the file, flag or field and the fix, never a stack trace. Most runs are in-process
// (src/main.ts's runCli, with the cwd and environment a spawned binary would have: a binary
// start costs 0.2-2 s of CPU); one run per kind of exit goes through the binary itself: a
// database command from another directory, an argv refused before any command loads, and a
// serve that fails after opening its watchers (it must exit, not hang).
const ROOT = resolve(import.meta.dir, '../..');
const BIN = join(ROOT, 'dist/tollgate');
const base = mkdtempSync(join(tmpdir(), 'tollgate-clierr-'));
let n = 0;
const emptyDir = () => {
  const d = join(base, `d${n++}`);
  mkdirSync(d);
  return d;
};

function result(code: number | null, out: string, err: string) {
  // Log lines (JSON) may precede a failure; what the user reads is the rest.
  const lines = err.split('\n').filter((l) => l && !l.startsWith('{'));
  expect(err).not.toMatch(/^\s+at /m);
  return { code, out, err, lines };
}

/** `dist/tollgate ARGS` as a process. */
function binary(args: string[], cwd: string, env: Record<string, string> = {}) {
  const p = Bun.spawnSync([BIN, ...args], { cwd, env: childEnv({ PATH: '/usr/bin:/bin', HOME: cwd, ...env }), timeout: 60_000 });
  return result(p.exitCode, p.stdout.toString(), p.stderr.toString());
}

/** The same command in-process, with the binary's cwd and environment. */
async function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = await runCliInProcess(args, { cwd, env: { PATH: '/usr/bin:/bin', HOME: cwd, ...env } });
  return result(r.code, r.out, r.err);
}

const write = (dir: string, name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

// config check compiles the Rego policies (a few seconds on a busy machine).
setDefaultTimeout(120_000);

describe('which database', () => {
  test('usage -c FILE from elsewhere reads the database beside FILE and creates nothing here', async () => {
    const home = emptyDir();
    const cfg = write(home, 'gateway.config.yaml', 'database: { url: "file:./data/t.db" }\nproviders:\n  oa: { type: openai, api_key: ${OPENAI_API_KEY} }\n');
    const elsewhere = emptyDir();
    const created = binary(['keys', 'create', '--name', 'ci', '-c', cfg], elsewhere);
    expect(created.code).toBe(0);
    expect(created.lines[0]).toBe(`database: file:${home}/data/t.db (database.url in ${cfg})`);
    const usage = await run(['usage', '-c', cfg], elsewhere);
    expect(usage.code).toBe(0);
    expect(existsSync(join(elsewhere, 'data'))).toBe(false);
    expect(existsSync(join(home, 'data', 't.db'))).toBe(true);
  });

  test('read commands refuse to create a database', async () => {
    const dir = emptyDir();
    for (const args of [['usage'], ['keys', 'list'], ['keys', 'show', 'ci'], ['teams', 'list'], ['users', 'list'], ['audit']]) {
      const r = await run(args, dir);
      expect(r.code).toBe(1);
      expect(r.lines).toEqual([
        `database: file:${dir}/data/tollgate.db (embedded defaults, relative to the current directory)`,
        `error: database file:${dir}/data/tollgate.db: does not exist, so there is nothing to read (pass --config with your gateway's config file, or run where it is; keys create or serve creates the database)`,
      ]);
    }
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  test('bad, unreachable, unsupported and newer databases', async () => {
    const dir = emptyDir();
    write(dir, 'junk.db', 'this is not a database '.repeat(50));
    const junk = write(dir, 'junk.yaml', 'database: { url: "file:./junk.db" }\n');
    expect((await run(['keys', 'list', '-c', junk], dir)).lines[1]).toBe(`error: database file:${dir}/junk.db: cannot open it (SQLITE_NOTADB: file is not a database); is it a Tollgate database?`);

    const far = write(dir, 'far.yaml', 'database: { url: "http://127.0.0.1:1" }\n');
    const unreachable = await run(['keys', 'create', '--name', 'x', '-c', far], dir);
    expect(unreachable.code).toBe(1);
    expect(unreachable.lines[1]).toStartWith('error: database http://127.0.0.1:1: cannot reach it (ECONNREFUSED');
    expect(unreachable.lines[1]).toEndWith('check database.url, database.auth_token and that the server is running');

    const pg = write(dir, 'pg.yaml', 'database: { url: "postgres://db/tollgate" }\nproviders: { mock: { type: mock } }\n');
    const expected = `${pg}:1:18: database.url: unsupported database URL scheme 'postgres:' (use file:PATH, :memory:, http(s):// or ws(s):// for sqld, or libsql:// for Turso)`;
    for (const args of [['config', 'check', pg], ['keys', 'list', '-c', pg], ['serve', '-c', pg]]) {
      const r = await run(args, dir);
      expect({ code: r.code, lines: r.lines }).toEqual({ code: 1, lines: [expected] });
    }

    // A NUL in the path made libSQL abort the process (SIGABRT): refused with its line instead.
    const nul = write(dir, 'nul.yaml', 'database: { url: "file:./a\\0b.db" }\nproviders: { mock: { type: mock } }\n');
    for (const args of [['config', 'check', nul], ['keys', 'list', '-c', nul], ['serve', '-c', nul]]) {
      const r = await run(args, dir);
      expect({ code: r.code, lines: r.lines }).toEqual({ code: 1, lines: [`${nul}:1:18: database.url: the database URL has a control character (U+0000) at position 9 (use file:PATH, :memory:, http(s):// or ws(s):// for sqld, or libsql:// for Turso)`] });
    }

    const newer = write(dir, 'newer.yaml', 'database: { url: "file:./newer.db" }\nproviders: { mock: { type: mock } }\npolicy: { enabled: false }\n');
    expect((await run(['teams', 'create', 'ml', '-c', newer], dir)).code).toBe(0);
    const store = await openStore({ url: `file:${dir}/newer.db` });
    await store.client.execute("INSERT INTO tollgate_migrations (tag, applied_at) VALUES ('0099_from_the_future', 0)");
    store.close();
    const why = 'migrations this Tollgate does not know (0099_from_the_future): a newer Tollgate wrote it; run that version or newer';
    for (const args of [['config', 'check', newer], ['teams', 'list', '-c', newer], ['serve', '-c', newer, '--port', '0']]) {
      const r = await run(args, dir);
      expect(r.code).toBe(1);
      expect(r.lines.at(-1)).toContain(why);
      expect(r.lines.at(-1)).toStartWith('error: ');
    }
  });
});

describe('config problems', () => {
  test('management commands need only the database section', async () => {
    const dir = emptyDir();
    write(dir, 'gateway.config.yaml', 'providers:\n  oa: { type: openai, api_key: ${OPENAI_API_KEY} }\n  an: { type: anthropic, api_key: ${ANTHROPIC_API_KEY} }\n');
    expect((await run(['keys', 'create', '--name', 'ci'], dir)).code).toBe(0);
    expect((await run(['usage'], dir)).code).toBe(0);
    const check = await run(['config', 'check'], dir);
    expect(check.code).toBe(1);
    // Each unset variable once, in file order.
    expect(check.lines.map((l) => l.replace(/ \(export.*$/, ''))).toEqual([
      `${dir}/gateway.config.yaml:2:32: providers.oa.api_key: environment variable OPENAI_API_KEY is not set`,
      `${dir}/gateway.config.yaml:3:35: providers.an.api_key: environment variable ANTHROPIC_API_KEY is not set`,
    ]);
  });

  test('a missing providers section', async () => {
    const dir = emptyDir();
    const cfg = write(dir, 'g.yaml', 'server:\n  port: 4000\n');
    expect((await run(['config', 'check', cfg], dir)).lines).toEqual([`${cfg}:1:1: providers: missing (add a providers: section, e.g. providers: { mock: { type: mock } })`]);
  });

  test('a policy.dir that does not exist is refused by serve and config check', async () => {
    const dir = emptyDir();
    const cfg = write(dir, 'g.yaml', 'providers: { mock: { type: mock } }\npolicy: { dir: ./rules }\n');
    const line = `${cfg}: policy.dir: directory ${dir}/rules does not exist (create it (\`tollgate policy export DIR\` writes the built-in policies there), fix the path, or remove policy.dir to use the built-in policies)`;
    for (const args of [['config', 'check', cfg], ['serve', '-c', cfg, '--port', '0']]) {
      const r = await run(args, dir);
      expect({ code: r.code, last: r.lines.at(-1) }).toEqual({ code: 1, last: line });
    }
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  test('config check refuses policies that fail their tests, and passes good ones', async () => {
    const dir = emptyDir();
    cpSync(join(ROOT, 'policies'), join(dir, 'policies'), { recursive: true });
    const cfg = write(dir, 'gateway.config.yaml', 'providers: { mock: { type: mock } }\n');
    const ok = await run(['config', 'check', cfg], dir);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(new RegExp(`policies: ${dir}/policies \\(\\d+ Rego files, tests (\\d+)/\\1 passed\\)`));
    expect(ok.out).toContain(`database: file:${dir}/data/tollgate.db (not created yet; serve creates it)`);
    write(join(dir, 'policies', 'gateway'), 'broken_test.rego', 'package gateway\n\ntest_always_fails if {\n\t1 == 2\n}\n');
    const bad = await run(['config', 'check', cfg], dir);
    expect(bad.code).toBe(1);
    expect(bad.lines).toHaveLength(1);
    expect(bad.lines[0]).toMatch(/broken_test\.rego:3:\d+: test data\.gateway\.test_always_fails failed/);
  });
});

describe('command and flag errors', () => {
  test('unknown commands and subcommands suggest the right one', async () => {
    const dir = emptyDir();
    expect(binary(['kyes', 'list'], dir)).toMatchObject({ code: 2, lines: ["error: unknown command 'kyes' (did you mean 'keys'?); run 'tollgate --help' for the commands"] });
    expect(await run(['keys', 'lsit'], dir)).toMatchObject({ code: 2, lines: ["error: unknown command 'lsit' (did you mean 'list'?)"] });
  });

  test('--rpm 0', async () => {
    const dir = emptyDir();
    expect(await run(['keys', 'create', '--name', 'x', '--rpm', '0'], dir)).toMatchObject({ code: 2, lines: ["error: --rpm: expected a positive integer, got '0' (to have no limit, leave --rpm out)"] });
  });

  test('policy eval: missing or malformed --input, a bad --endpoint; policy schema from an empty directory', async () => {
    const dir = emptyDir();
    const pdir = join(ROOT, 'policies');
    write(dir, 'bad.json', '{"model":');
    write(dir, 'body.json', '{"model":"m"}');
    write(dir, 'big.json', '{"request": {"model": "m"},\n "usage": {"team": {"month_usd": 123456789123456789123}}}');
    const cases: [string[], string][] = [
      [['policy', 'eval', '-i', 'nope.json', '-d', pdir], 'error: --input nope.json: cannot read it (ENOENT); give a JSON policy input document or client request body (tollgate init writes a sample req.json)'],
      [['policy', 'eval', '-i', 'bad.json', '-d', pdir], 'error: --input bad.json: not valid JSON'],
      [['policy', 'eval', '-i', 'big.json', '-d', pdir], 'error: --input big.json:2: the number 123456789123456789123 would reach the policy as 123456789123456800000 (JSON numbers beyond 2^53 or 17 significant digits lose digits here, where OPA keeps them); write it as a string'],
      [['policy', 'eval', '-i', 'body.json', '-d', pdir, '-e', 'chat'], "error: --endpoint: expected chat.completions, messages, embeddings, completions, got 'chat'"],
      [['policy', 'eval', '-i', 'body.json', '-d', pdir], 'error: --input body.json: not a valid chat.completions request body: messages: '],
      [['policy', 'eval', '-i', 'body.json'], 'error: policy directory policies does not exist (give the directory with your .rego files, or an OPA bundle, as --dir, or `tollgate policy export policies` writes the built-in policies there)'],
    ];
    for (const [args, start] of cases) {
      const r = await run(args, dir);
      expect(r.code).toBe(1);
      expect(r.lines).toHaveLength(1);
      expect(r.lines[0]).toStartWith(start);
    }
    const schema = await run(['policy', 'schema'], dir);
    expect(schema).toMatchObject({ code: 0, out: 'wrote docs/policy-input.schema.json\n' });
    expect(JSON.parse(readFileSync(join(dir, 'docs/policy-input.schema.json'), 'utf8'))).toHaveProperty('properties');
  });

  test('serve on a port in use exits 1 with one line (and does not hang)', async () => {
    const dir = emptyDir();
    const cfg = write(dir, 'g.yaml', 'providers: { mock: { type: mock } }\npolicy: { enabled: false }\n');
    const taken = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') });
    try {
      const r = binary(['serve', '-c', cfg, '--port', String(taken.port), '--host', '127.0.0.1'], dir);
      expect(r.code).toBe(1);
      expect(r.lines).toEqual([`error: port ${taken.port} on 127.0.0.1 is already in use (from --port); stop the process using it, or choose another port with --port N`]);
    } finally {
      taken.stop(true);
    }
  });
});

describe('the README', () => {
  test('"Keys, budgets and usage" works as written, top to bottom, from an empty directory', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Keys, budgets and usage'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
    const commands = block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
    expect(commands.length).toBeGreaterThanOrEqual(8);
    const dir = emptyDir();
    for (const line of commands) {
      const words = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
      expect(words[0]).toBe('tollgate');
      const r = await run(words.slice(1), dir);
      expect({ line, code: r.code, err: r.code ? r.err : '' }).toEqual({ line, code: 0, err: '' });
    }
  });
});
