import { expect, test } from 'bun:test';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../config/load.ts';
import { policySource } from './policy-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-polsrc-'));
mkdirSync(join(dir, 'policies'));
writeFileSync(join(dir, 'b.tar.gz'), '');
const bare = mkdtempSync(join(tmpdir(), 'tollgate-polsrc-bare-'));
const config = (policy: string) => parseConfig(`providers: { mock: { type: mock } }\npolicy: ${policy}\n`, 'x.yaml', {}).config;

test('policy.watch defaults to on and can be switched off', () => {
  expect(policySource(config('{ dir: policies }'), join(dir, 'gateway.config.yaml')).watch).toBe(true);
  expect(policySource(config('{ dir: policies, watch: false }'), join(dir, 'gateway.config.yaml')).watch).toBe(false);
  expect(policySource(config('{ bundle: b.tar.gz, watch: false }'), join(dir, 'gateway.config.yaml')).watch).toBe(false);
});

test('the built-in policies are never watched', () => {
  const src = policySource(config('{ watch: true }'), join(bare, 'gateway.config.yaml'));
  expect('sources' in src && src.watch).toBe(false);
});

test('a policy.dir or bundle that is set must exist', () => {
  expect(() => policySource(config('{ dir: nowhere }'), join(dir, 'gateway.config.yaml'))).toThrow('policy.dir');
  expect(() => policySource(config('{ bundle: none.tar.gz }'), join(dir, 'gateway.config.yaml'))).toThrow('policy.bundle');
});
