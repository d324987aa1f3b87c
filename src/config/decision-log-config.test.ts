import { expect, test } from 'bun:test';
import { ConfigError, formatProblem, parseConfig } from './load.ts';

const base = 'providers: { mock: { type: mock } }\n';
const problems = (text: string): string[] => {
  try {
    parseConfig(base + text, 'c.yaml', {});
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(formatProblem);
    throw e;
  }
};

test('policy.decision_log defaults: on, every decision kept for 7 days, inputs capped at 16 KiB', () => {
  expect(parseConfig(base, 'c.yaml', {}).config.policy.decision_log).toEqual({ enabled: true, sample_rate: 1, deny_sample_rate: 1, retention: 7 * 86_400_000, max_input_bytes: 16384, max_queue: 10_000, flush_ms: 500 });
  const c = parseConfig(base + 'policy:\n  decision_log: { sample_rate: 0.1, deny_sample_rate: 0.5, retention: forever }\n', 'c.yaml', {}).config.policy.decision_log;
  expect(c).toMatchObject({ sample_rate: 0.1, deny_sample_rate: 0.5, retention: null });
});

test('bad decision_log values are refused with file:line and the field', () => {
  const rate = problems('policy:\n  decision_log:\n    sample_rate: 2\n');
  expect(rate.join('\n')).toMatch(/c\.yaml:4:\d+.*sample_rate/);
  expect(problems('policy:\n  decision_log: { retention: 1y }\n').join('\n')).toContain('expected a period such as 30d');
  expect(problems('policy:\n  decision_log: { max_input_bytes: 10 }\n').join('\n')).toContain('max_input_bytes');
  expect(problems('policy:\n  decision_log: { sample: 1 }\n').join('\n')).toContain("unknown key 'sample'");
});
