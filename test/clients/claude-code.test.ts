import { expect } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HELLO, Matrix, ROUTES, useStage, type Route } from './harness.ts';

// Claude Code (@anthropic-ai/claude-code 2.1.332), non-interactive (`claude -p`), with its default
// settings: only the gateway URL, a key, the model (a gateway model name, which Claude Code does
// not know) and, for the tool loop, `--tools Read`. Telemetry and non-essential traffic are off
// and HOME is a fresh temp dir per run, so nothing leaves the machine and no state is shared.
const matrix = new Matrix('Claude Code (@anthropic-ai/claude-code 2.1.332)');
const stage = useStage(matrix);

/**
 * The native binary of the platform package (an optionalDependency). The wrapper package's
 * bin/claude.exe is a placeholder until its postinstall copies this file over it, and npm
 * installs here run without install scripts.
 */
function claudeBinary(): string {
  const require = createRequire(import.meta.url);
  const musl = process.platform === 'linux' && !(process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
  const pkg = `@anthropic-ai/claude-code-${process.platform}-${process.arch}${musl ? '-musl' : ''}`;
  return join(dirname(require.resolve(`${pkg}/package.json`)), process.platform === 'win32' ? 'claude.exe' : 'claude');
}

interface ClaudeResult {
  is_error: boolean;
  result: string;
  num_turns: number;
  usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number };
}

async function claude(route: Route, behaviour: 'chat' | 'tool', prompt: string, args: string[], cwd: string): Promise<ClaudeResult> {
  const home = mkdtempSync(join(tmpdir(), 'tg-claude-home-'));
  const p = Bun.spawn([claudeBinary(), '-p', prompt, '--output-format', 'json', '--model', stage.model(route, behaviour), ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      DISABLE_TELEMETRY: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ANTHROPIC_BASE_URL: stage.url,
      ANTHROPIC_API_KEY: 'anything',
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const timer = setTimeout(() => p.kill(), 90_000);
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(timer);
  const line = out.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`claude exited ${code} without a result: ${(err || out).slice(-800)}`);
  const r = JSON.parse(line) as ClaudeResult;
  if (r.is_error || code !== 0) throw new Error(`claude exited ${code}: ${r.result}`);
  return r;
}

const cachedOf = (u: ClaudeResult['usage']) => (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
/**
 * Usage as Claude Code reports it: the mocks' 11 prompt tokens per call, 7 out. On Anthropic its
 * cache_control markers are cached as they are, and on Bedrock they become Converse cachePoints,
 * so the prompt up to them (the mocks count one token per 4 characters) is cache tokens on top of
 * the 11; the OpenAI mock reports 3 of its 11 as cached, which reach Claude Code as cache reads.
 */
function expectUsage(route: Route, u: ClaudeResult['usage'], input: number, output: number) {
  expect(u.output_tokens).toBe(output);
  if (route === 'bedrock' || route === 'anthropic') {
    expect(u.input_tokens).toBe(input);
    expect(cachedOf(u)).toBeGreaterThan(1000);
  } else expect(u.input_tokens + cachedOf(u)).toBe(input);
}

for (const route of ROUTES) {
  matrix.cell(
    'claude-code',
    route,
    'plain prompt',
    async () => {
      const r = await claude(route, 'chat', 'Say hello', [], mkdtempSync(join(tmpdir(), 'tg-claude-work-')));
      expect(r.result).toBe(HELLO[route]);
      expect(r.num_turns).toBe(1);
      expectUsage(route, r.usage, 11, 7);
    },
    120_000,
  );

  matrix.cell(
    'claude-code',
    route,
    'tool loop (--tools Read)',
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'tg-claude-work-'));
      const file = join(work, 'notes.txt');
      writeFileSync(file, 'the secret word is pelican\n');
      // The mock model calls the tool the prompt names, with the key=value arguments it spells out.
      const r = await claude(route, 'tool', `Use Read on file_path=${file} and tell me the secret word`, ['--tools', 'Read'], work);
      expect(r.result).toContain('the secret word is pelican');
      expect(r.num_turns).toBe(2);
      expectUsage(route, r.usage, 22, 14);
    },
    120_000,
  );
}
