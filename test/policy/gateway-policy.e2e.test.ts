import { afterAll, beforeAll, expect, test } from 'bun:test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import { startGateway, type Gateway } from '../../src/server/start.ts';
import { configSource } from '../../src/cli/config-source.ts';
import { startOpenAIUpstream, type OpenAIUpstream } from '../mocks/openai-upstream.ts';
import { sha256Hex } from '../../src/lib/hash.ts';

// A gateway run from a config file whose policies/ directory is a copy of the defaults, so
// the test can edit it while the server runs.
const dir = mkdtempSync(join(tmpdir(), 'tollgate-policy-'));
const SUPPORT_KEY = 'tg-support-key-000000000000000000';
const RESEARCH_KEY = 'tg-research-key-00000000000000000';
let gw: Gateway;
let up: OpenAIUpstream;
const errors: string[] = [];

beforeAll(async () => {
  cpSync(resolve(import.meta.dir, '../../policies'), join(dir, 'policies'), { recursive: true });
  // The samples are shipped off; these tests run with the team and routing samples enabled.
  mkdirSync(join(dir, 'policies/data'), { recursive: true });
  for (const f of ['teams.yaml', 'routing.yaml']) renameSync(join(dir, 'policies/examples', f), join(dir, 'policies/data', f));
  up = startOpenAIUpstream({});
  writeFileSync(
    join(dir, 'gateway.config.yaml'),
    `server: { host: 127.0.0.1, port: 0 }
database: { url: 'file:${join(dir, 'db.sqlite')}' }
providers:
  public: { type: openai-compatible, base_url: '${up.url}/v1' }
  private: { type: openai-compatible, base_url: '${up.url}/v1', data_residency: private }
models:
  gpt-4o-mini: { provider: public, model: public-mini }
  gpt-4o: { provider: public, model: public-4o }
  claude-haiku: { provider: public, model: public-haiku }
# The sample team budgets apply, and a model under a budget must have a price.
prices:
  public-mini: { input: 0.15, output: 0.6 }
  public-4o: { input: 2.5, output: 10 }
  public-haiku: { input: 1, output: 5 }
keys:
  - { name: support-bot, team: support, hash: "sha256:${sha256Hex(SUPPORT_KEY)}" }
  - { name: researcher, team: research, hash: "sha256:${sha256Hex(RESEARCH_KEY)}" }
policy:
  dir: policies
  data:
    pii: { types: [email, card], action: redact }
`,
  );
  gw = await startGateway({
    source: configSource(join(dir, 'gateway.config.yaml')),
    signals: false,
    quiet: true,
    logger: { debug() {}, info() {}, warn() {}, error: (m, f) => errors.push(m + ' ' + JSON.stringify(f)) },
  });
});
afterAll(async () => {
  await gw.stop();
  up.stop();
});

const openai = (key: string) => new OpenAI({ baseURL: gw.url + '/v1', apiKey: key, maxRetries: 0 });

test('the team policy denies a model with 403 in the OpenAI schema, with a decision id', async () => {
  const err = await openai(SUPPORT_KEY).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
  expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
  expect(err.message).toContain("model 'gpt-4o' is not allowed for team 'support'");
  expect(err.headers.get('x-tollgate-decision-id')).toMatch(/[0-9a-f-]{36}/);
  const ok = await openai(SUPPORT_KEY).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  expect(ok.choices[0]!.message.content).toContain('Hello from openai');
});

test('the same deny reaches an Anthropic client as an Anthropic permission error', async () => {
  const claude = new Anthropic({ baseURL: gw.url, apiKey: SUPPORT_KEY, maxRetries: 0 });
  const err = await claude.messages.create({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
  expect(err).toBeInstanceOf(Anthropic.PermissionDeniedError);
  expect(err.error.type).toBe('error');
});

test('PII is masked before the prompt leaves the gateway when the policy says redact', async () => {
  const before = up.requests.length;
  await openai(RESEARCH_KEY).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Mail jane.doe@example.com, card 4111 1111 1111 1111' }] });
  const sent = JSON.stringify(up.requests.slice(before));
  expect(sent).not.toContain('jane.doe@example.com');
  expect(sent).not.toContain('4111 1111 1111 1111');
  expect(sent).toContain('[REDACTED:email]');
});

test('every usage row carries the decision id, the policy revision and the deny reason', async () => {
  await Bun.sleep(400); // one flush interval
  const db = createClient({ url: `file:${join(dir, 'db.sqlite')}` });
  const rows = (await db.execute('SELECT status, decision_id, policy_revision, error_class FROM usage ORDER BY created_at')).rows;
  db.close();
  const denied = rows.find((r) => r.status === 403)!;
  expect(String(denied.decision_id)).toMatch(/[0-9a-f-]{36}/);
  expect(String(denied.error_class)).toContain('not allowed for team');
  const ok = rows.find((r) => r.status === 200)!;
  expect(String(ok.policy_revision)).toMatch(/^[0-9a-f]{16}$/);
});

test('an edited policy goes live while serving; a broken one keeps the old decision and logs file:line', async () => {
  const file = join(dir, 'policies/gateway/models.rego');
  const original = readFileSync(file, 'utf8');
  const ask = () => openai(RESEARCH_KEY).chat.completions.create({ model: 'claude-haiku', messages: [{ role: 'user', content: 'hi' }] });
  expect((await ask()).choices.length).toBe(1);
  writeFileSync(file, original + '\ndeny contains {"status": 403, "message": "haiku is closed today"} if input.request.model == "claude-haiku"\n');
  const start = Date.now();
  let denied = false;
  // The delay is printed, not asserted tightly (a compile takes ~1 s, several on a loaded machine).
  while (Date.now() - start < 15_000 && !denied) {
    denied = (await ask().catch((e) => e)) instanceof OpenAI.PermissionDeniedError;
    if (!denied) await Bun.sleep(50);
  }
  console.log(`policy edit live in the gateway after ${Date.now() - start} ms`);
  expect(denied).toBe(true);
  // A syntax error: refused, logged with file:line, the previous (denying) policy keeps serving.
  writeFileSync(file, original + '\ndeny contains {"status": 403 if {\n');
  const t0 = Date.now();
  while (Date.now() - t0 < 15_000 && !errors.some((e) => e.includes('models.rego:'))) await Bun.sleep(50);
  expect(errors.some((e) => e.includes('policy reload refused') && e.includes('models.rego:'))).toBe(true);
  expect(await ask().catch((e) => e)).toBeInstanceOf(OpenAI.PermissionDeniedError);
  writeFileSync(file, original);
});
