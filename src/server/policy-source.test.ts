import { expect, test } from 'bun:test';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../config/load.ts';
import { policySource } from './policy-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-polsrc-'));
mkdirSync(join(dir, 'policies'));
const config = (policy: string) => parseConfig(`providers: { mock: { type: mock } }\npolicy: ${policy}\n`, 'x.yaml', {}).config;

test('policy.watch defaults to on and can be switched off', () => {
  expect(policySource(config('{ dir: policies }'), join(dir, 'gateway.config.yaml')).watch).toBe(true);
  expect(policySource(config('{ dir: policies, watch: false }'), join(dir, 'gateway.config.yaml')).watch).toBe(false);
  expect(policySource(config('{ bundle: b.tar.gz, watch: false }'), join(dir, 'gateway.config.yaml')).watch).toBe(false);
});

test('the built-in policies are never watched', () => {
  expect(policySource(config('{ dir: nowhere, watch: true }'), join(dir, 'gateway.config.yaml')).watch).toBe(false);
});
