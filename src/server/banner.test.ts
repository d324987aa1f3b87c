import { describe, expect, test } from 'bun:test';
import { resolve } from 'node:path';
import defaultConfigText from '../../gateway.config.yaml' with { type: 'text' };
import { parseConfig } from '../config/load.ts';
import { buildRuntime } from '../config/runtime.ts';
import { banner, displayDatabaseUrl } from './banner.ts';

const runtime = (env: Record<string, string>) => buildRuntime(parseConfig(defaultConfigText, 'gateway.config.yaml', env).config);
const facts = { databaseUrl: 'file:./data/tollgate.db', adminApi: false };

describe('start-up banner', () => {
  test('names the config, database, policy source and revision, admin API and anonymous mode', () => {
    const text = banner('http://127.0.0.1:4000', runtime({}), { ...facts, configPath: '/srv/gateway.config.yaml', policy: { source: 'policies/', revision: 'abcdef0123456789' } });
    expect(text).toContain('config:    /srv/gateway.config.yaml');
    expect(text).toContain('database:  file:./data/tollgate.db');
    expect(text).toContain('policy:    revision abcdef0123456789 from policies/');
    expect(text).toContain('admin API: off (set TOLLGATE_MASTER_KEY to enable /admin)');
    expect(text).toContain('anonymous: ON: any client may call without a key');
  });

  test('embedded defaults, admin API on, policy off', () => {
    const text = banner('http://127.0.0.1:4000', runtime({}), { ...facts, adminApi: true });
    expect(text).toContain('config:    embedded defaults');
    expect(text).toContain('admin API: on (TOLLGATE_MASTER_KEY is set)');
    expect(text).toContain('policy:    off (policy.enabled: false)');
  });

  test("the curl is the README's, with or without a real provider's key set", async () => {
    const readme = await Bun.file(resolve(import.meta.dir, '../../README.md')).text();
    const readmeCurl = /-d '(\{"model":[^']*)'/.exec(readme)?.[1];
    const envs: Record<string, string>[] = [{}, { OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant' }];
    for (const env of envs) {
      const curl = /-d '(\{"model":[^']*)'/.exec(banner('http://127.0.0.1:4000', runtime(env), facts))?.[1];
      expect(curl).toBe(readmeCurl!);
    }
    expect(readmeCurl).toContain('"model":"mock-gpt"');
  });

  test('database URLs lose their credentials', () => {
    expect(displayDatabaseUrl('libsql://db-org.turso.io?authToken=secret')).toBe('libsql://db-org.turso.io');
    expect(displayDatabaseUrl('http://user:pw@sqld:8080')).toBe('http://sqld:8080');
    expect(displayDatabaseUrl('file:./data/tollgate.db')).toBe('file:./data/tollgate.db');
    expect(displayDatabaseUrl(':memory:')).toBe(':memory:');
  });
});
