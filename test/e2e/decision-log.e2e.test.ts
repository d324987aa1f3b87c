import { beforeAll, expect, test } from 'bun:test';
import { createClient } from '@libsql/client';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnBinary } from '../helpers/spawn-binary.ts';
import { childEnv } from '../support/child-env.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';

/*
 * The decision log, explain and replay through the built binary: a gateway serves 3,000 requests
 * of four kinds against the mock provider, every decision is logged, then `policy replay`
 * re-evaluates them against a changed policy (Rego and data) whose effect on each kind is known.
 */

const BIN = resolve(import.meta.dir, '../../dist/tollgate');
const dir = mkdtempSync(join(tmpdir(), 'tollgate-decisions-'));
const env = { PATH: '/usr/bin:/bin', HOME: dir, TOLLGATE_CACHE_DIR: join(dir, 'cache') };
const sha = (s: string) => new Bun.CryptoHasher('sha256').update(s).digest('hex');
const KEYS = { research: 'tg-test-research-0001', support: 'tg-test-support-0001' };
const MARKER = 'zebra-cactus';

const TEAMS = (supportModels: string, researchMaxTokens: number) => `teams:
  research: { models: ["mock*"], max_tokens: ${researchMaxTokens} }
  support: { models: [${supportModels}] }
`;

function policyDir(name: string, teams: string, piiAction: string): string {
  const p = join(dir, name);
  cpSync(resolve(import.meta.dir, '../../policies'), p, { recursive: true });
  mkdirSync(join(p, 'data'), { recursive: true });
  writeFileSync(join(p, 'data', 'teams.yaml'), teams);
  writeFileSync(join(p, 'data', 'pii.yaml'), `pii: { types: [email], action: ${piiAction} }\n`);
  return p;
}

// The four kinds of request and what the candidate does to each (see the counts below).
const KINDS = [
  // research, no PII: allowed; the candidate halves its max_tokens (limits).
  { name: 'research-plain', n: 1000, key: KEYS.research, model: 'mock-large', stream: false, pii: false },
  // support asks for a model its team may not use: denied; the candidate allows it.
  { name: 'support-large', n: 600, key: KEYS.support, model: 'mock-large', stream: false, pii: false },
  // support on its model: allowed; the candidate denies streaming for support (300 of 900).
  { name: 'support-small', n: 600, key: KEYS.support, model: 'mock-small', stream: false, pii: false },
  { name: 'support-stream', n: 300, key: KEYS.support, model: 'mock-small', stream: true, pii: false },
  // research with an email in the prompt: redacted; the candidate is private_only: denied.
  { name: 'research-pii', n: 500, key: KEYS.research, model: 'mock-small', stream: false, pii: true },
] as const;

const seen: Record<string, { requestId: string; decisionId: string; status: number }[]> = {};
let config: string;
let readyz: { decision_log?: { written: number; backlog: number; dropped: number; sampled_out: number } };

function run(args: string[]) {
  const p = Bun.spawnSync([BIN, ...args], { cwd: dir, env: childEnv(env) });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

/**
 * The same command in this process (test/support/cli-in-process.ts: runCli with the binary's cwd
 * and environment), for the explains and replays after the first of each kind went through the
 * binary: every explain or replay the binary runs inflates and compiles the Rego compiler again
 * (~2-5 s of CPU each); this process compiles it once.
 */
const inProcess = (args: string[]) => runCliInProcess(args, { cwd: dir, env });

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error('dist/tollgate is missing: run `npx bun scripts/build.ts`');
  policyDir('policies', TEAMS('"mock-small"', 4096), 'redact');
  const candidate = policyDir('candidate', TEAMS('"mock-small", "mock-large"', 2048), 'private_only');
  writeFileSync(join(candidate, 'gateway', 'streaming.rego'), 'package gateway\n\ndeny contains {"status": 403, "message": "streaming is off for team support"} if {\n\tinput.key.team == "support"\n\tinput.request.stream\n}\n');
  config = join(dir, 'gateway.config.yaml');
  writeFileSync(
    config,
    `database: { url: file:./data/tollgate.db }
logging: { level: warn }
providers:
  mock: { type: mock, data_residency: public }
models:
  mock-small: { provider: mock, model: mock/ok }
  mock-large: { provider: mock, model: mock/ok }
keys:
  - { name: research-key, hash: "${sha(KEYS.research)}", team: research }
  - { name: support-key, hash: "${sha(KEYS.support)}", team: support }
policy:
  dir: ./policies
  watch: false
  decision_log: { flush_ms: 50 }
`,
  );
  const gw = await spawnBinary(BIN, ['serve', '--config', config, '--port', '0'], { cwd: dir, env, timeoutMs: 60_000 });
  try {
    let i = 0;
    const jobs = KINDS.flatMap((k) => Array.from({ length: k.n }, () => k));
    for (let at = 0; at < jobs.length; at += 50) {
      await Promise.all(
        jobs.slice(at, at + 50).map(async (k) => {
          const n = i++;
          const content = `${MARKER}-${n}: summarise the plan${k.pii ? ' and mail it to ann.lee@example.com' : ''}`;
          const res = await fetch(`${gw.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${k.key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: k.model, stream: k.stream, messages: [{ role: 'user', content }] }),
          });
          await res.text();
          (seen[k.name] ??= []).push({ requestId: res.headers.get('x-request-id') ?? '', decisionId: res.headers.get('x-tollgate-decision-id') ?? '', status: res.status });
        }),
      );
    }
    readyz = await (await fetch(`${gw.url}/readyz`, { headers: { authorization: `Bearer ${KEYS.research}` } })).json();
  } finally {
    // SIGTERM flushes the decision log's queue before the process exits.
    expect(await gw.terminate()).toBe(0);
  }
}, 300_000);

test('every request got a decision id, and the statuses are what the policy decided', () => {
  for (const k of KINDS) {
    const rows = seen[k.name]!;
    expect(rows.length).toBe(k.n);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set([k.name === 'support-large' ? 403 : 200]));
    expect(rows.every((r) => /^[0-9a-f-]{36}$/.test(r.decisionId) && r.requestId.length > 0)).toBe(true);
  }
});

test('/readyz counts the decision log: nothing dropped, nothing sampled out', () => {
  const d = readyz.decision_log!;
  expect(d.written + d.backlog).toBe(3000);
  expect(d).toMatchObject({ dropped: 0, sampled_out: 0 });
});

test('every decision, allowed and denied, is logged with its revision and linked to its usage row; no prompt text lands in the table', async () => {
  const db = createClient({ url: 'file:' + join(dir, 'data/tollgate.db') });
  try {
    const all = await db.execute('SELECT count(*) AS n, sum(allowed) AS allowed, count(DISTINCT policy_revision) AS revisions FROM decisions');
    expect(all.rows[0]).toMatchObject({ n: 3000, allowed: 2400, revisions: 1 });
    const linked = await db.execute('SELECT count(*) AS n FROM decisions d JOIN usage u ON u.request_id = d.request_id AND u.decision_id = d.decision_id');
    expect(Number(linked.rows[0]!.n)).toBe(3000);
    const leaks = await db.execute({ sql: "SELECT count(*) AS n FROM decisions WHERE input LIKE ? OR result LIKE ? OR input LIKE '%ann.lee%'", args: [`%${MARKER}%`, `%${MARKER}%`] });
    expect(Number(leaks.rows[0]!.n)).toBe(0);
    const pii = await db.execute("SELECT json_extract(input, '$.signals.pii_types') AS types, result FROM decisions WHERE request_id = ?", [seen['research-pii']![0]!.requestId]);
    expect(JSON.parse(String(pii.rows[0]!.types))).toEqual(['email']);
    expect(JSON.parse(String(pii.rows[0]!.result)).redact).toEqual(['email']);
  } finally {
    db.close();
  }
  // Nor anywhere else in the database's files.
  for (const f of ['tollgate.db', 'tollgate.db-wal']) {
    const p = join(dir, 'data', f);
    if (existsSync(p)) expect(readFileSync(p).includes(MARKER)).toBe(false);
  }
});

test('explain shows a denied request (by request id): input, decision, reasons and the rules that fired', () => {
  const denied = seen['support-large']![0]!;
  const r = run(['policy', 'explain', denied.requestId, '-c', config]);
  expect(r.code).toBe(0);
  expect(r.out).toContain(`decision ${denied.decisionId}`);
  expect(r.out).toContain('(the current policy');
  expect(r.out).toContain('decision: denied (403)');
  expect(r.out).toContain("model 'mock-large' is not allowed for team 'support'");
  expect(r.out).toContain('"team": "support"');
  expect(r.out).toMatch(/data\.gateway\.deny\s+gateway\/models\.rego:\d+\s+= \[\{"message":"model 'mock-large' is not allowed for team 'support'","status":403\}\]/);
  expect(r.out).toMatch(/data\.gateway\.decision\.http_status\s+gateway\/decision\.rego:\d+/);
}, 180_000);

test('explain shows an allowed request (by decision id), and says when the logged revision is not the current policy', async () => {
  const allowed = seen['research-pii']![0]!;
  const r = await inProcess(['policy', 'explain', allowed.decisionId, '-c', config, '--trace']);
  expect(r.code).toBe(0);
  expect(r.out).toContain(`request ${allowed.requestId}`);
  expect(r.out).toContain('decision: allowed');
  expect(r.out).toContain('pii: redacted');
  expect(r.out).toMatch(/data\.gateway\.redact\s+gateway\/pii\.rego:\d+\s+= \["email"\]/);
  expect(r.out).toContain('Enter data.gateway.decision');
  // The same decision against a config whose policy is the candidate: another revision.
  const other = join(dir, 'candidate.config.yaml');
  writeFileSync(other, readFileSync(config, 'utf8').replace('dir: ./policies', 'dir: ./candidate'));
  const moved = await inProcess(['policy', 'explain', allowed.decisionId, '-c', other]);
  expect(moved.code).toBe(0);
  expect(moved.out).toContain('NOT the current policy');
  expect(moved.out).toContain('the current policy decides differently');
  const missing = run(['policy', 'explain', 'req_nope', '-c', config]);
  expect(missing.code).toBe(1);
  expect(missing.err).toContain("no logged decision has the decision id or request id 'req_nope'");
}, 180_000);

test('replay of the changed policy over the 3,000 logged decisions counts exactly the decisions it changes', () => {
  const r = run(['policy', 'replay', '--candidate', join(dir, 'candidate'), '--since', '1h', '--json', '-c', config]);
  expect(r.err).not.toContain('refused');
  expect(r.code).toBe(0);
  const report = JSON.parse(r.out);
  expect(report).toMatchObject({ total: 3000, replayed: 3000, skipped: { truncated: 0, unreadable: 0 }, unchanged: 600, changed: 2400, over_threshold: false });
  const kinds = Object.fromEntries(report.kinds.map((k: { kind: string; count: number }) => [k.kind, k.count]));
  // 300 support streams + 500 research PII requests denied; 600 support-large allowed; 1,000 research plain capped lower.
  expect(kinds).toEqual({ allowed_to_denied: 800, denied_to_allowed: 600, limits: 1000 });
  const limits = report.kinds.find((k: { kind: string }) => k.kind === 'limits');
  expect(limits.examples.length).toBe(3);
  expect(limits.examples[0]).toMatchObject({ before: '{"max_tokens":4096}', after: '{"max_tokens":2048}' });
  const flipped = report.kinds.find((k: { kind: string }) => k.kind === 'denied_to_allowed');
  expect(seen['support-large']!.map((s) => s.decisionId)).toContain(flipped.examples[0].decision_id);
  console.log(`replay: ${report.replayed} decisions in ${report.seconds} s (${Math.round(report.replayed / report.seconds)}/s, compile excluded)`);
}, 240_000);

test('replay gates on --max-changed: above it exits 1, at it 0; the text report names each kind', async () => {
  const over = await inProcess(['policy', 'replay', '--candidate', join(dir, 'candidate'), '--max-changed', '2399', '-c', config]);
  expect(over.code).toBe(1);
  expect(over.out).toContain('changed: 2400 (threshold 2399: OVER)');
  expect(over.out).toMatch(/allowed_to_denied: 800\n/);
  const at = await inProcess(['policy', 'replay', '--candidate', join(dir, 'candidate'), '--max-changed', '2400', '-c', config]);
  expect(at.code).toBe(0);
  const bad = run(['policy', 'replay', '--candidate', join(dir, 'candidate'), '--since', 'yesterday', '-c', config]);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('--since');
}, 240_000);
