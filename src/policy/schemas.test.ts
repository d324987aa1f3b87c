import { afterAll, beforeAll, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createRegoCompiler, type RegoCompiler, type RegoFiles } from './compiler/index.ts';
import { decisionJsonSchema, decisionSchema } from './decision.ts';
import { compilePolicySources } from './loader.ts';
import { readPolicyDir } from './policy-files.ts';
import { gatewaySchemas } from './schemas.ts';

const POLICIES = join(import.meta.dir, '../../policies');
const schemas = gatewaySchemas('gateway/decision');
let compiler: RegoCompiler;

beforeAll(async () => {
  compiler = await createRegoCompiler();
});
afterAll(() => compiler.close());

/** The built-in policies (no tests) plus `extra`, compiled as the gateway does. */
function withBuiltins(extra: string): RegoFiles {
  const read = readPolicyDir(POLICIES);
  if (!read.ok) throw new Error('policies/ did not read');
  const files: RegoFiles = { 'gateway/extra.rego': extra };
  for (const [path, text] of Object.entries(read.sources.files)) if (!path.endsWith('_test.rego')) files[path] = text;
  return files;
}

async function compileErrors(files: RegoFiles): Promise<string[]> {
  const r = await compiler.compile({ files, entrypoints: ['gateway/decision'], schemas });
  return r.ok ? [] : r.errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`);
}

test('the built-in policies compile and pass their tests against both schemas', async () => {
  const read = readPolicyDir(POLICIES);
  if (!read.ok) throw new Error('policies/ did not read');
  const r = await compilePolicySources(read.sources, { compiler });
  expect(r.ok).toBe(true);
});

test('an input field typo is a compile error at file:line:col naming the schema path and the nearest field', async () => {
  const errors = await compileErrors(
    withBuiltins('package gateway\n\ndeny contains {"status": 403, "message": "no"} if {\n\tinput.request.modle == "gpt-x"\n}\n\ndeny contains {"status": 403, "message": "t"} if input.key.tem == "x"\n'),
  );
  expect(errors).toHaveLength(2);
  expect(errors[0]).toStartWith('gateway/extra.rego:4:2: undefined ref: input.request.modle: input.request has no field "modle" in docs/policy-input.schema.json#/properties/request; did you mean "model"?');
  expect(errors[1]).toStartWith('gateway/extra.rego:7:');
  expect(errors[1]).toContain('did you mean "team"?');
});

test('refs into a nullable object and past a scalar are refused too', async () => {
  const errors = await compileErrors(
    withBuiltins('package gateway\n\ndeny contains {"status": 403, "message": "a"} if input.request.catalog_target.provder == "x"\n\ndeny contains {"status": 403, "message": "b"} if input.request.model.name == "x"\n'),
  );
  expect(errors).toEqual([
    expect.stringMatching(/^gateway\/extra\.rego:3:\d+: .*input\.request\.catalog_target has no field "provder" in docs\/policy-input\.schema\.json#\/properties\/request\/properties\/catalog_target\/anyOf\/0; did you mean "provider"\?/),
    expect.stringMatching(/^gateway\/extra\.rego:5:\d+: undefined ref: input\.request\.model\.name: input\.request\.model is a string in docs\/policy-input\.schema\.json#\/properties\/request\/properties\/model; it has no fields$/),
  ]);
});

test('typos in a map value or an array item are caught too: directly, through `some … in`, `:=` and `every`', async () => {
  const extra = [
    'package gateway',
    '',
    'deny contains {"status": 403, "message": "a"} if input.providers[name].data_residensy == "x"',
    '',
    'deny contains {"status": 403, "message": "b"} if {',
    '\tsome _, p in input.providers',
    '\tp.healty == false',
    '}',
    '',
    'deny contains {"status": 403, "message": "c"} if {',
    '\tq := input.providers[_]',
    '\tr := q',
    '\tr.eror_rate > 0.5',
    '}',
    '',
    'deny contains {"status": 403, "message": "d"} if every p in input.providers { p.typ == "x" }',
    '',
    'deny contains {"status": 403, "message": "f"} if input.providers.openai.data_residencyy == "x"',
    '',
    '# The same shapes spelled right compile.',
    'deny contains {"status": 403, "message": "e"} if {',
    '\tsome _, p in input.providers',
    '\tp.data_residency == "private"',
    '\tsome t in input.request.tool_names',
    '\tt == "x"',
    '}',
    '',
  ].join('\n');
  const errors = await compileErrors(withBuiltins(extra));
  expect(errors).toEqual([
    expect.stringMatching(/^gateway\/extra\.rego:3:\d+: undefined ref: input\.providers\[name\]\.data_residensy: the value has no field "data_residensy" in docs\/policy-input\.schema\.json; did you mean "data_residency"\?/),
    expect.stringMatching(/^gateway\/extra\.rego:7:2: undefined ref: p\.healty: .*did you mean "healthy"\?/),
    expect.stringMatching(/^gateway\/extra\.rego:13:2: undefined ref: r\.eror_rate: .*did you mean "error_rate"\?/),
    expect.stringMatching(/^gateway\/extra\.rego:16:\d+: undefined ref: p\.typ: .*did you mean "type"\?/),
    expect.stringMatching(/^gateway\/extra\.rego:18:\d+: undefined ref: input\.providers\.openai\.data_residencyy: .*did you mean "data_residency"\?/),
  ]);
});

test('a variable unified with `=` may be reused in a sibling comprehension or an else body: no false typo', async () => {
  const extra = [
    'package gateway',
    '',
    'deny contains {"status": 403, "message": "a"} if {',
    '\tcount([x | x = input.request.tool_names[_]; x == "a"]) > 0',
    '\tcount([x | x = input.providers[_]; x.healthy]) > 0',
    '}',
    '',
    'zz := 1 if { x = input.providers[_]; x.healthy } else := 2 if { x = input.request.metadata; x.foo == "1" }',
    '',
  ].join('\n');
  expect(await compileErrors(withBuiltins(extra))).toEqual([]);
});

test('a field far from every name lists the fields the schema has', async () => {
  const errors = await compileErrors(withBuiltins('package gateway\n\ndeny contains {"status": 403, "message": "x"} if input.time.zzzzzzzz == 1\n'));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain('input.time has no field "zzzzzzzz"');
  expect(errors[0]).toContain('it has: hour, rfc3339, weekday');
});

test('decision key typos are compile errors: ref heads, object literals, values from other rules and body variables', async () => {
  const extra = [
    'package gateway',
    '',
    'decision["alow"] := true',
    '',
    'decision.budget := {"limt_usd": 5, "period": "day", "scope": "key"}',
    '',
    'decision.rate_limit := rl',
    '',
    'rl := {"rpn": 5}',
    '',
    'decision.targets := [{"provder": "x", "model": "y"}]',
    '',
    'decision.cache := c if {',
    '\tc := {"mode": "read", "ttl": 5}',
    '}',
    '',
  ].join('\n');
  const errors = await compileErrors(withBuiltins(extra));
  expect(errors).toEqual([
    expect.stringMatching(/^gateway\/extra\.rego:3:10: undefined decision key: data\.gateway\.decision\.alow: .*did you mean "allowed"\?/),
    expect.stringMatching(/^gateway\/extra\.rego:5:21: .*decision\.budget\.limt_usd: .*did you mean "limit_usd"\?/),
    expect.stringMatching(/^gateway\/extra\.rego:9:8: .*decision\.rate_limit\.rpn: .*did you mean "rpm"\?/),
    expect.stringMatching(/^gateway\/extra\.rego:11:23: .*decision\.targets\[_\]\.provder: .*did you mean "provider"\?/),
    expect.stringMatching(/^gateway\/extra\.rego:14:24: .*decision\.cache\.ttl: .*did you mean "ttl_s"\?/),
  ]);
});

test('decision literals of the wrong type or outside an enum are refused, with the nearest allowed value', async () => {
  const extra = [
    'package gateway',
    '',
    'decision.budget := {"limit_usd": 5, "period": "monthly", "scope": "team"}',
    '',
    'decision.http_status := "403"',
    '',
    'decision.redact := ["emial"]',
    '',
    'decision.targets := {"mode": "weigthed", "targets": [{"provider": "a", "model": "b", "weight": 1}]}',
    '',
    'decision.max_tokens := 1.5',
    '',
    'decision.log_prompts := false',
    '',
  ].join('\n');
  expect(await compileErrors(withBuiltins(extra))).toEqual([
    'gateway/extra.rego:3:47: invalid decision value: data.gateway.decision.budget.period: "monthly" is not one of day, week, month in the decision schema; did you mean "month"? (the gateway denies a decision with it)',
    'gateway/extra.rego:5:25: invalid decision value: data.gateway.decision.http_status: the decision schema wants integer, not string "403" (the gateway denies a decision with it)',
    'gateway/extra.rego:7:21: invalid decision value: data.gateway.decision.redact[_]: "emial" is not one of email, phone, card, iban, national_id in the decision schema; did you mean "email"? (the gateway denies a decision with it)',
    'gateway/extra.rego:9:30: invalid decision value: data.gateway.decision.targets.mode: "weigthed" is not one of weighted in the decision schema; did you mean "weighted"? (the gateway denies a decision with it)',
    'gateway/extra.rego:11:24: invalid decision value: data.gateway.decision.max_tokens: the decision schema wants integer, not number 1.5 (the gateway denies a decision with it)',
  ]);
});

test('a complete decision object with a typo is refused; the same policy spelled right compiles', async () => {
  const policy = (key: string) => ({ 'p.rego': `package gateway\n\ndecision := {"${key}": true, "reasons": ["r"]} if input.key.team == "t"\n\ndecision := {"allowed": false} if input.key.team != "t"\n` });
  expect(await compileErrors(policy('alowed'))).toEqual([expect.stringMatching(/^p\.rego:3:14: undefined decision key: data\.gateway\.decision\.alowed: .*did you mean "allowed"\?/)]);
  expect(await compileErrors(policy('allowed'))).toEqual([]);
});

test('a rule of the decision package the decision never reads, one or two edits from one it reads, is a typo', async () => {
  const extra = 'package gateway\n\nmax_token := 100 if input.key.team == "t"\n\nrate_limits := {"rpm": 5}\n\nmy_helper := 3\n';
  const errors = await compileErrors(withBuiltins(extra));
  expect(errors).toEqual([
    'gateway/extra.rego:3:1: rule max_token is never read by data.gateway.decision; did you mean "max_tokens"? (a rule the decision does not read has no effect)',
    'gateway/extra.rego:5:1: rule rate_limits is never read by data.gateway.decision; did you mean "rate_limit"? (a rule the decision does not read has no effect)',
  ]);
});

test('a schemas annotation is the escape hatch: a rule may declare an input field the schema lacks, or any input; a package too', async () => {
  const extra = [
    'package gateway',
    '',
    '# METADATA',
    '# schemas:',
    '#   - input.request.x_region: {"type": "string"}',
    'deny contains {"status": 403, "message": "eu"} if input.request.x_region == "eu"',
    '',
    '# METADATA',
    '# schemas:',
    '#   - input: {}',
    'deny contains {"status": 403, "message": "any"} if input.anything.goes == 1',
    '',
    'deny contains {"status": 403, "message": "still checked"} if input.request.x_region == "us"',
  ].join('\n');
  const files = { ...withBuiltins(extra), 'legacy/old.rego': '# METADATA\n# scope: package\n# schemas:\n#   - input: {}\npackage legacy\n\nx if input.foo.bar\n' };
  const errors = await compileErrors(files);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toStartWith('gateway/extra.rego:13:');
  expect(errors[0]).toContain('input.request has no field "x_region"');
});

test('policy tests are checked too: a typo in a test-only helper fails the run before any test', async () => {
  const files = { 'p.rego': 'package gateway\n\nallowed if input.request.model == "m"\n', 'p_test.rego': 'package gateway\n\ntest_x if allowed with input as {"request": {"model": "m"}}\n\nbad if input.reqest.model\n' };
  const r = await compiler.test({ files, schemas });
  expect(r.ok).toBe(false);
  expect(r.errors.map((e) => `${e.file}:${e.line}: ${e.message}`)).toEqual([expect.stringMatching(/^p_test\.rego:5: undefined ref: input\.reqest: input has no field "reqest" .*did you mean "request"\?/)]);
});

test('the decision JSON schema is generated from the zod schema and accepts what parseDecision accepts', () => {
  const json = decisionJsonSchema() as { properties: Record<string, unknown>; additionalProperties: boolean };
  expect(Object.keys(json.properties).sort()).toEqual(Object.keys(decisionSchema.shape).sort());
  expect(json.additionalProperties).toBe(false);
  // The transform's input side: targets as a policy writes them.
  expect(z.toJSONSchema(decisionSchema, { io: 'input' })).toMatchObject({ properties: { targets: { anyOf: [{ type: 'array' }, { type: 'object' }] } } });
});

test('the input schema checked is the one in docs/policy-input.schema.json', () => {
  const doc = JSON.parse(readFileSync(join(import.meta.dir, '../../docs/policy-input.schema.json'), 'utf8')) as unknown;
  expect(schemas.input).toEqual(doc as never);
});
