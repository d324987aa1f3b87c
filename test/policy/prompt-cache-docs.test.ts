import { afterAll, expect, test } from 'bun:test';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli/index.ts';

// docs/policy.md's prompt_cache example, dropped beside the default policies, decides what it says.
const root = mkdtempSync(join(tmpdir(), 'tollgate-prompt-cache-docs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const docs = readFileSync(resolve(import.meta.dir, '../../docs/policy.md'), 'utf8');
const example = /### Example: prompt caching for one team[\s\S]*?```rego\n([\s\S]*?)```/.exec(docs)![1]!;

async function evalDecision(dir: string, model: string, team: string): Promise<Record<string, unknown>> {
  const input = join(root, `${model}.json`);
  writeFileSync(input, JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }));
  let out = '';
  const io = { out: (t: string) => void (out += t + '\n'), err: () => {}, write: (t: string) => void (out += t) };
  const code = await runCli(['policy', 'eval', '-i', input, '-d', dir, '--team', team], { io, env: { ...process.env, TOLLGATE_CACHE_DIR: join(root, 'cache') } });
  process.exitCode = 0;
  expect(code).toBe(0);
  // The decision is the first JSON object printed.
  const start = out.indexOf('{');
  let depth = 0;
  for (let i = start; i < out.length; i++) {
    depth += out[i] === '{' ? 1 : out[i] === '}' ? -1 : 0;
    if (depth === 0) return JSON.parse(out.slice(start, i + 1)) as Record<string, unknown>;
  }
  throw new Error(`no decision in: ${out}`);
}

test("the docs' prompt_cache example: 1h on Opus and auto elsewhere for team support, nothing for other teams", async () => {
  const dir = join(root, 'policies');
  cpSync(resolve(import.meta.dir, '../../policies'), dir, { recursive: true });
  writeFileSync(join(dir, 'gateway', 'prompt_cache.rego'), example);
  expect((await evalDecision(dir, 'claude-opus-4-5', 'support')).prompt_cache).toEqual({ mode: 'auto', ttl: '1h' });
  expect((await evalDecision(dir, 'claude-sonnet-4-5', 'support')).prompt_cache).toEqual({ mode: 'auto' });
  expect((await evalDecision(dir, 'claude-sonnet-4-5', 'web')).prompt_cache).toBeUndefined();
}, 120_000);
