import { describe, expect, test } from 'bun:test';
import { ConfigError, formatProblem, parseConfig, parseStoreConfig, type ConfigProblem } from './load.ts';

function problems(yaml: string, env: Record<string, string> = {}, parse: (t: string, f: string, e: Record<string, string>) => unknown = parseConfig): ConfigProblem[] {
  try {
    parse(yaml, 'g.yaml', env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const base = 'providers:\n  mock: { type: mock }\n';

describe('config errors name file, line and a fix', () => {
  test('an unknown key is reported at its line with a suggestion', () => {
    const [p] = problems(`server:\n  host: 127.0.0.1\n  prot: 4000\n${base}`);
    expect(p).toMatchObject({ file: 'g.yaml', line: 3, col: 3, path: 'server.prot', message: "unknown key 'prot'", hint: "did you mean 'port'?" });
  });

  test('an unknown key inside a typed provider suggests that provider type\'s keys', () => {
    const [p] = problems(`providers:\n  oa:\n    type: openai\n    api_key: x\n    base_ulr: http://a\n`);
    expect(p!.line).toBe(5);
    expect(p!.hint).toBe("did you mean 'base_url'?");
  });

  test('a wrong type names the expected type', () => {
    const [p] = problems(`server:\n  port: "abc"\n${base}`);
    expect(p).toMatchObject({ line: 2, path: 'server.port', hint: 'expected number' });
  });

  test('an unknown provider type lists the valid ones', () => {
    const [p] = problems(`providers:\n  x:\n    type: openia\n`);
    expect(p!.path).toBe('providers.x.type');
    expect(p!.line).toBe(3);
    expect(p!.hint).toContain('openai, openai-compatible, azure, anthropic, gemini, bedrock, mock');
  });

  test('a model pointing at an undefined provider suggests the closest one', () => {
    const [p] = problems(`${base}models:\n  m: { provider: mok, model: x }\n`);
    expect(p).toMatchObject({ line: 4, path: 'models.m.provider', hint: "did you mean 'mock'?" });
  });

  test('an unset ${VAR} is an error at its line', () => {
    const [p] = problems(`providers:\n  oa: { type: openai, api_key: \${OPENAI_KEY} }\n`);
    expect(p!.message).toBe('environment variable OPENAI_KEY is not set');
    expect(p!.line).toBe(2);
  });

  test('a YAML syntax error is reported with its line', () => {
    const [p] = problems(`providers:\n  mock: { type: mock\n`);
    expect(p!.line).toBeGreaterThanOrEqual(2);
    expect(p!.hint).toBe('fix the YAML syntax');
  });

  test('duplicate aliases are refused', () => {
    const ps = problems(`${base}models:\n  a: { provider: mock, model: x, aliases: [b] }\n  b: { provider: mock, model: y }\n`);
    expect(ps[0]!.message).toContain("'b' is used twice");
  });
});

describe('environment references', () => {
  test('${VAR} and ${VAR:-default} resolve in memory', () => {
    const { config } = parseConfig(`providers:\n  oa: { type: openai, api_key: \${K}, base_url: \${U:-http://localhost:1/v1} }\n`, 'g.yaml', { K: 'sk-real' });
    const p = config.providers.oa!;
    expect(p.type === 'openai' && p.api_key).toBe('sk-real');
    expect(p.type === 'openai' && p.base_url).toBe('http://localhost:1/v1');
  });

  test('an optional provider whose variables are unset is switched off with its models', () => {
    const { config, skipped } = parseConfig(`${base}  oa: { type: openai, api_key: \${K}, optional: true }\nmodels:\n  g: { provider: oa, model: gpt }\n  m: { provider: mock, model: mock/ok }\n`, 'g.yaml', {});
    expect(Object.keys(config.providers)).toEqual(['mock']);
    expect(Object.keys(config.models)).toEqual(['m']);
    expect(skipped).toEqual([{ provider: 'oa', missing: ['K'] }]);
  });

  test('the shipped default config is valid with and without provider keys', async () => {
    const text = await Bun.file(new URL('../../gateway.config.yaml', import.meta.url)).text();
    expect(Object.keys(parseConfig(text, 'gateway.config.yaml', {}).config.providers)).toEqual(['mock']);
    const all = parseConfig(text, 'gateway.config.yaml', { OPENAI_API_KEY: 'a', ANTHROPIC_API_KEY: 'b', GEMINI_API_KEY: 'c', AWS_ACCESS_KEY_ID: 'd', AWS_SECRET_ACCESS_KEY: 'e' });
    expect(Object.keys(all.config.providers).sort()).toEqual(['anthropic', 'bedrock', 'gemini', 'mock', 'openai']);
  });
});

describe('one problem per fault, in file order', () => {
  test('an unset ${VAR} is reported once, not again as an empty value', () => {
    const ps = problems(`providers:\n  oa: { type: openai, api_key: \${K1} }\n  an: { type: anthropic, api_key: \${K1} }\n`);
    expect(ps.map((p) => [p.line, p.message])).toEqual([
      [2, 'environment variable K1 is not set'],
      [3, 'environment variable K1 is not set'],
    ]);
  });

  test('problems are sorted by line', () => {
    const ps = problems(`models:\n  m: { provider: mock, model: x, colour: red }\nserver:\n  prot: 1\nproviders:\n  oa: { type: openai, api_key: \${K} }\n  mock: { type: mock }\n`);
    const lines = ps.map((p) => p.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(ps.length).toBe(3);
  });

  test('a missing providers section says how to add one', () => {
    const [p] = problems('database: { url: "file:./x.db" }\n');
    expect(formatProblem(p!)).toBe('g.yaml:1:1: providers: missing (add a providers: section, e.g. providers: { mock: { type: mock } })');
  });

  test('an unsupported database scheme names the supported ones', () => {
    const [p] = problems(`database: { url: "postgres://db/x" }\n${base}`);
    expect(p).toMatchObject({ line: 1, path: 'database.url' });
    expect(p!.message).toBe("unsupported database URL scheme 'postgres:' (use file:PATH, :memory:, http(s):// or ws(s):// for sqld, or libsql:// for Turso)");
  });
});

describe('parseStoreConfig: only database and keys', () => {
  const text = `database: { url: "file:./data/x.db", auth_token: \${TOKEN:-t} }\nproviders:\n  oa: { type: openai, api_key: \${UNSET} }\nkeys:\n  - { name: cfg, hash: "sha256:${'a'.repeat(64)}" }\n`;

  test('unset provider variables and a missing providers section do not matter', () => {
    expect(parseStoreConfig(text, 'g.yaml', {})).toEqual({ database: { url: 'file:./data/x.db', auth_token: 't' }, keys: [{ name: 'cfg', hash: `sha256:${'a'.repeat(64)}` }] });
    expect(parseStoreConfig('server: { port: 1 }\n', 'g.yaml', {}).database.url).toBe('file:./data/tollgate.db');
  });

  test('problems in database and keys are still reported at their line', () => {
    const ps = problems(`providers: {}\ndatabase:\n  url: \${DB_URL}\n  ur: x\n`, {}, parseStoreConfig);
    expect(ps.map((p) => [p.line, p.path])).toEqual([[3, 'database.url'], [4, 'database.ur']]);
  });
});

describe('params: {drop, refuse}', () => {
  test('names are checked against the parameters the gateway knows, per provider and per model', () => {
    const [p] = problems(`providers:\n  mock: { type: mock, params: { drop: [top_kk] } }\n`);
    expect(p).toMatchObject({ line: 2, path: 'providers.mock.params.drop.0' });
    const [m] = problems(`${base}models:\n  chat: { provider: mock, model: m, params: { refuse: [image_url.detial] } }\n`);
    expect(m!.path).toBe('models.chat.params.refuse.0');
    // Required fields can be neither dropped nor refused; nested hints can only be refused.
    expect(problems(`providers:\n  mock: { type: mock, params: { drop: [messages] } }\n`)[0]!.path).toBe('providers.mock.params.drop.0');
    expect(problems(`providers:\n  mock: { type: mock, params: { drop: [image_url.detail] } }\n`)[0]!.path).toBe('providers.mock.params.drop.0');
  });

  test('a name in both lists is an error; valid lists parse', () => {
    expect(problems(`providers:\n  mock: { type: mock, params: { drop: [seed], refuse: [seed] } }\n`)[0]!.message).toContain('seed cannot be both dropped and refused');
    const { config } = parseConfig(`providers:\n  mock: { type: mock, params: { drop: [seed, thinking], refuse: [image_url.detail, top_k] } }\n`, 'g.yaml', {});
    expect(config.providers.mock!.params).toEqual({ drop: ['seed', 'thinking'], refuse: ['image_url.detail', 'top_k'] });
  });
});
