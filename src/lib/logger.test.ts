import { expect, test } from 'bun:test';
import { createLogger, textLine } from './logger.ts';

test('json is the default format: one object a line', () => {
  const out: string[] = [];
  const log = createLogger({ write: (t) => out.push(t) });
  log.info('request', { key: 'ci', status: 200 });
  const j = JSON.parse(out[0]!) as Record<string, unknown>;
  expect(j).toMatchObject({ level: 'info', msg: 'request', key: 'ci', status: 200 });
});

test('text: time, level, message, then key=value, quoting only what needs it', () => {
  const line = textLine('2026-12-01T00:00:00.000Z', 'warn', 'request', { key: 'ci', team: undefined, redacted: ['email', 'phone'], error: 'no API key', reasons: ['a b'], n: 3 });
  expect(line).toBe('2026-12-01T00:00:00.000Z WARN  request key=ci redacted=email,phone error="no API key" reasons=["a b"] n=3\n');
});

test('text never spans lines', () => {
  const out: string[] = [];
  createLogger({ format: 'text', write: (t) => out.push(t) }).error('boom\nsecond', { stack: 'a\nb' });
  expect(out.join('').trim().split('\n')).toHaveLength(1);
});

test('level filters', () => {
  const out: string[] = [];
  const log = createLogger({ level: 'warn', format: 'text', write: (t) => out.push(t) });
  log.info('quiet');
  log.warn('loud');
  expect(out.join('')).toContain('loud');
  expect(out.join('')).not.toContain('quiet');
});
