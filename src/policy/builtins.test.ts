import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createRegoCompiler, type Json, type RegoCompiler } from './compiler/index.ts';
import { createPolicyEngine } from './engine.ts';
import type { BuiltinHost } from './opa-abi.ts';
import { instantiatePolicy } from './wasm-policy.ts';

// Builtins the wasm target does not build in are answered by OPA's own Go implementation (the
// embedded Go program); each answer must be OPA's (topdown, via the compiler's eval operation).
const EXPRESSIONS: Record<string, string> = {
  sprintf_big_int: 'sprintf("%d", [123456789123456789123])',
  sprintf_float: 'sprintf("%f", [1e2])',
  sprintf_composite: 'sprintf("hi %v", [["a", 5]])',
  sprintf_set: 'sprintf("%v", [{"b", "a"}])',
  yaml_multi_document: 'yaml.is_valid("a: 1\\n---\\nb: 2")',
  yaml_non_string: 'yaml.is_valid(input.n)',
  yaml_unmarshal: 'yaml.unmarshal("a: [1, 2.5, x]\\nb: {c: true}")',
  yaml_marshal: 'yaml.marshal({"a": [1, {"b": 2}], "s": "x: y"})',
  json_is_valid: 'json.is_valid("{\\"a\\": [1, .5]}")',
  regex_split: 'regex.split("[,;]", "a,b;c")',
  time_parse: 'time.parse_rfc3339_ns("2017-06-02T19:00:00-07:00") == 1496455200000000000',
  time_weekday: 'time.weekday(1496455200000000000)',
  time_add_date: 'time.date(time.add_date(1496455200000000000, 0, 1, 30))',
  time_diff: 'time.diff(1496455200000000000, 1396455200000000000)',
  time_clock: 'time.clock([1496455200000000000, "Europe/Paris"])',
  cidr_contains: 'net.cidr_contains("10.0.0.0/8", "10.1.2.3")',
  cidr_merge: 'net.cidr_merge(["10.0.0.0/25", "10.0.0.128/25", "192.168.1.1"])',
  cidr_expand: 'net.cidr_expand("10.0.0.0/30")',
  jwt_round_trip: 'io.jwt.decode_verify(io.jwt.encode_sign({"alg": "HS256", "typ": "JWT"}, {"sub": "ann", "iss": "gw"}, {"kty": "oct", "k": "c2VjcmV0"}), {"secret": "secret", "iss": "gw"})',
  jwt_wrong_key: 'io.jwt.verify_hs256(io.jwt.encode_sign({"alg": "HS256"}, {"sub": "ann"}, {"kty": "oct", "k": "c2VjcmV0"}), "other")',
  regex_replace: 'regex.replace("a1b22", "[0-9]+", "#")',
  regex_find_n: 'regex.find_n("[a-z]", "a1b2c3", 2)',
  any_prefix: 'strings.any_prefix_match(["gpt-4o", "claude"], ["gpt-", "o1"])',
  units: 'units.parse_bytes("10KiB") + units.parse("1.5k")',
  semver: 'semver.compare("1.2.3", "1.10.0")',
  sha256: 'crypto.sha256("abc")',
  json_patch: 'json.patch({"a": 1}, [{"op": "add", "path": "/b", "value": [2]}])',
  uuid: 'uuid.parse("00000000-0000-0000-0000-000000000001")',
  match_schema: 'json.match_schema({"a": 1}, {"type": "object", "properties": {"a": {"type": "string"}}})',
};

const SOURCE = `package gateway

decision := {"allowed": true}

${Object.entries(EXPRESSIONS)
  .map(([k, e]) => `r[${JSON.stringify(k)}] := ${e}`)
  .join('\n')}
`;

let compiler: RegoCompiler;
beforeAll(async () => {
  compiler = await createRegoCompiler();
}, 60_000);
afterAll(() => compiler.close());

async function compile(source: string, entrypoints = ['gateway/decision']): Promise<Uint8Array> {
  const r = await compiler.compile({ files: { 'gateway/p.rego': source }, entrypoints });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.wasm;
}

describe('builtins OPA implements in Go', () => {
  test("every answer is OPA's own", async () => {
    const engine = await createPolicyEngine({ wasm: await compile(SOURCE, ['gateway/r']), entrypoint: 'gateway/r' });
    const input: Json = { n: 5 };
    const got = engine.evaluateRaw(input);
    const want = await compiler.eval({ files: { 'gateway/p.rego': SOURCE }, query: 'data.gateway.r', input });
    expect(want.ok).toBe(true);
    expect(got).toEqual({ ok: true, defined: true, result: want.result });
    // The answers JavaScript's sprintf/yaml gave differently:
    const r = (got.ok && got.defined ? got.result : {}) as Record<string, unknown>;
    expect(r.sprintf_big_int).toBe('123456789123456789123');
    expect(r.sprintf_float).toBe('100.000000');
    expect(r.sprintf_composite).toBe('hi ["a", 5]');
  }, 60_000);

  test('time.now_ns is one timestamp per evaluation, from the engine clock', async () => {
    let now = 1_700_000_000_123;
    const src = 'package gateway\n\ndecision := {"allowed": true, "same": a == b, "year": time.date(a)[0], "ms": (a / 1000000) % 1000}\n\na := time.now_ns()\n\nb := time.now_ns()\n';
    const engine = await createPolicyEngine({ wasm: await compile(src), now: () => now++ });
    const d = engine.evaluateRaw({});
    expect(d).toEqual({ ok: true, defined: true, result: { allowed: true, same: true, year: 2023, ms: 123 } });
    now = Date.UTC(2031, 0, 1);
    expect(engine.evaluateRaw({})).toMatchObject({ ok: true, result: { year: 2031, ms: 0 } });
  }, 60_000);

  test('`with` replaces a builtin the host implements', async () => {
    const src = 'package gateway\n\ndecision := {"allowed": true, "t": t, "s": s}\n\nt := x if {\n\tx := time.now_ns() with time.now_ns as 42\n}\n\ns := y if {\n\ty := sprintf("%d", [1]) with sprintf as "mocked"\n}\n';
    const engine = await createPolicyEngine({ wasm: await compile(src) });
    expect(engine.evaluateRaw({})).toEqual({ ok: true, defined: true, result: { allowed: true, t: 42, s: 'mocked' } });
  }, 60_000);

  test('replacing a refused builtin with `with` is refused naming the builtin at its line', async () => {
    const src = 'package gateway\n\ndecision := {"allowed": true, "r": r}\n\nr := x if {\n\tx := f with http.send as {"body": 1}\n}\n\nf := 1\n';
    const r = await compiler.compile({ files: { 'gateway/p.rego': src }, entrypoints: ['gateway/decision'] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: 'gateway/p.rego', line: 6, code: 'rego_unsupported_builtin_error' });
    expect(r.errors[0]?.message).toStartWith('builtin http.send is not available to gateway policies');
  }, 60_000);

  test('a decision holding an integer beyond 2^53 is an evaluation error naming it, not a rounded number', async () => {
    const engine = await createPolicyEngine({ wasm: await compile('package gateway\n\ndecision := {"allowed": true, "n": 123456789123456789123}\n') });
    const e = engine.evaluate({} as never);
    expect(e.decision.allowed).toBe(false);
    expect(e.failure?.kind).toBe('evaluation_error');
    expect(e.failure?.detail).toContain('123456789123456789123');
  }, 60_000);

  test('a .5 literal evaluates, in the wasm path and in the eval operation', async () => {
    const src = 'package gateway\n\ndecision := {"allowed": true, "x": .5, "s": {3, 1, 2}}\n';
    const engine = await createPolicyEngine({ wasm: await compile(src) });
    expect(engine.evaluateRaw({})).toEqual({ ok: true, defined: true, result: { allowed: true, x: 0.5, s: [1, 2, 3] } });
    const ev = await compiler.eval({ files: { 'gateway/p.rego': src }, query: 'data.gateway.decision' });
    expect(ev).toMatchObject({ ok: true, defined: true, result: { allowed: true, x: 0.5 } });
  }, 60_000);

  test('the Go builtin host is loaded only for a policy that calls such a builtin', async () => {
    let asked = 0;
    const host = async (): Promise<BuiltinHost> => {
      asked++;
      return { call: () => '"from host"' };
    };
    await instantiatePolicy(await compile('package gateway\n\ndecision := {"allowed": count(input) >= 0}\n'), 1 << 24, { host });
    expect(asked).toBe(0);
    const load = await instantiatePolicy(await compile('package gateway\n\ndecision := {"allowed": true, "m": sprintf("%s", ["x"])}\n'), 1 << 24, { host });
    expect(asked).toBe(1);
    const rs = load(new TextEncoder().encode('{}')).evaluate(new TextEncoder().encode('{}'), 0);
    expect(rs).toEqual([{ result: { allowed: true, m: 'from host' } }]);
  }, 60_000);

  test('a builtin host that dies is replaced: the policy answers again without a reload', async () => {
    let asked = 0;
    let die!: () => void;
    const host = async (): Promise<BuiltinHost> => {
      asked++;
      const n = asked;
      return { call: () => `"host ${n}"`, closed: n === 1 ? new Promise<void>((r) => (die = r)) : new Promise<void>(() => {}) };
    };
    const load = await instantiatePolicy(await compile('package gateway\n\ndecision := {"allowed": true, "m": sprintf("%s", ["x"])}\n'), 1 << 24, { host });
    const run = () => load(new TextEncoder().encode('{}')).evaluate(new TextEncoder().encode('{}'), 0);
    expect(run()).toEqual([{ result: { allowed: true, m: 'host 1' } }]);
    die();
    for (let i = 0; i < 50 && asked < 2; i++) await Bun.sleep(1);
    await Bun.sleep(1);
    expect(asked).toBe(2);
    expect(run()).toEqual([{ result: { allowed: true, m: 'host 2' } }]);
  }, 60_000);
});
