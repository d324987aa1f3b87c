import { expect, test } from 'bun:test';
import type { RegoTestResult } from './compiler/types.ts';
import { formatTestReport, goDuration } from './test-report.ts';

test('goDuration matches Go time.Duration.String()', () => {
  expect(goDuration(0)).toBe('0s');
  expect(goDuration(999)).toBe('999ns');
  expect(goDuration(175_625)).toBe('175.625µs');
  expect(goDuration(2_000)).toBe('2µs');
  expect(goDuration(1_234_567)).toBe('1.234567ms');
  expect(goDuration(13_260_800)).toBe('13.2608ms');
  expect(goDuration(1_500_000_000)).toBe('1.5s');
  expect(goDuration(61_500_000_000)).toBe('1m1.5s');
});

const at = (line: number, file = 'p/a_test.rego') => ({ file, line, col: 1 });
const pass = (name: string, file?: string): RegoTestResult => ({ package: 'gateway', name, pass: true, duration_ns: 1_200_000, location: at(3, file) });
const fail: RegoTestResult = { package: 'gateway', name: 'test_b', pass: false, duration_ns: 512_300, location: at(7), fail_reason: 'p/a_test.rego:8:2: failed: data.gateway.allowed' };
const error: RegoTestResult = { package: 'gateway', name: 'test_c', pass: false, duration_ns: 1000, location: at(9), fail_reason: 'eval_conflict_error: complete rules must not produce multiple outputs' };

test('all passing: only the summary', () => {
  expect(formatTestReport([pass('test_a'), pass('test_z')])).toEqual({ text: 'PASS: 2/2', ok: true });
});

test('failures are listed with their file:line, then the summary', () => {
  const r = formatTestReport([pass('test_a'), fail, error]);
  expect(r.ok).toBe(false);
  expect(r.text).toBe(
    [
      'p/a_test.rego:7:',
      'data.gateway.test_b: FAIL (512.3µs)',
      'p/a_test.rego:9:',
      'data.gateway.test_c: ERROR (1µs)',
      '  eval_conflict_error: complete rules must not produce multiple outputs',
      '-'.repeat(80),
      'PASS: 1/3',
      'FAIL: 1/3',
      'ERROR: 1/3',
    ].join('\n'),
  );
});

test('-v lists every test, a blank line between files, and where failures happened', () => {
  const r = formatTestReport([pass('test_a'), pass('test_x', 'p/b_test.rego'), fail], { verbose: true });
  expect(r.text).toBe(
    [
      'p/a_test.rego:3:',
      'data.gateway.test_a: PASS (1.2ms)',
      '',
      'p/b_test.rego:3:',
      'data.gateway.test_x: PASS (1.2ms)',
      '',
      'p/a_test.rego:7:',
      'data.gateway.test_b: FAIL (512.3µs)',
      '-'.repeat(80),
      'FAILURES',
      '-'.repeat(80),
      'data.gateway.test_b: FAIL (512.3µs)',
      '',
      '  p/a_test.rego:8:',
      '    data.gateway.allowed',
      '',
      '',
      '-'.repeat(80),
      'PASS: 2/3',
      'FAIL: 1/3',
    ].join('\n'),
  );
});
