import { expect, test } from 'bun:test';
import { ConfigError } from '../config/load.ts';
import { DatabaseError } from '../store/client.ts';
import { CliError, describeFailure, unknownCommand } from './guard.ts';

const COMMANDS = ['serve', 'config', 'keys', 'policy', 'teams', 'usage', 'users', 'help'];

test('an unknown first word is refused with the nearest command', () => {
  expect(unknownCommand(['kyes', 'list'], COMMANDS)).toBe("error: unknown command 'kyes' (did you mean 'keys'?); run 'tollgate --help' for the commands");
  expect(unknownCommand(['frobnicate'], COMMANDS)).toBe("error: unknown command 'frobnicate'; run 'tollgate --help' for the commands");
  for (const argv of [[], ['--port', '1'], ['keys', 'list'], ['help']]) expect(unknownCommand(argv, COMMANDS)).toBeUndefined();
});

test('failures print one line; the stack only with TOLLGATE_DEBUG=1', () => {
  const boom = new TypeError('cannot read x of undefined\n    at somewhere (file.ts:1:1)');
  expect(describeFailure(boom, {})).toBe('error: cannot read x of undefined (unexpected; run with TOLLGATE_DEBUG=1 to see where, and please report it)');
  expect(describeFailure(boom, { TOLLGATE_DEBUG: '1' })).toContain('    at ');
  expect(describeFailure(new CliError('--input x.json: cannot read it (ENOENT)'), {})).toBe('error: --input x.json: cannot read it (ENOENT)');
  expect(describeFailure(new DatabaseError('http://h:1', 'cannot reach it'), {})).toBe('error: database http://h:1: cannot reach it');
  expect(describeFailure(new ConfigError([{ file: 'g.yaml', line: 2, col: 3, path: 'x', message: 'bad' }]), {})).toBe('g.yaml:2:3: x: bad');
  expect(describeFailure('a string', {})).toStartWith('error: a string (unexpected');
});
