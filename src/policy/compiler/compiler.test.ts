import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { buildCompilerWasm, compilerWasmPath } from "./build.ts";
import { GoBridge } from "./go-bridge.ts";
import { createRegoCompiler, type Json, type RegoCompiler } from "./index.ts";

// Building the Go compiler to wasm takes about a minute on 2 cores.
const BUILD_TIMEOUT_MS = 10 * 60 * 1000;

const POLICY = `package gateway

default decision := {"allowed": false, "reason": "no rule matched"}

decision := {"allowed": true, "reason": sprintf("%s may use %s", [input.user, input.model]), "tier": tier} if {
	input.model in data.models
	not blocked
	every tag in input.tags { startswith(tag, "ok-") }
}

blocked if input.user in {"mallory", "eve"}

tier := "large" if count(input.messages) > 2
else := "small"

token_total := sum([m.tokens | some m in input.messages])
`;

const POLICY_TEST = `package gateway

test_allows_known_model if {
	decision.allowed with input as {"user": "ann", "model": "m1", "tags": [], "messages": []}
		with data.models as ["m1"]
}

test_blocks_mallory if {
	not decision.allowed with input as {"user": "mallory", "model": "m1", "tags": [], "messages": []}
		with data.models as ["m1"]
}

test_deliberately_failing if {
	decision.allowed with input as {"user": "ann", "model": "unknown", "tags": [], "messages": []}
}
`;

const DATA = { models: ["m1", "m2"] };
const files = { "gateway/policy.rego": POLICY };

let compiler: RegoCompiler;

beforeAll(async () => {
  if (Bun.which("go")) buildCompilerWasm();
  else if (!existsSync(compilerWasmPath)) throw new Error("build/compiler.wasm missing and Go is not installed");
  compiler = await createRegoCompiler();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await compiler?.close();
});

async function compilePolicy(): Promise<Uint8Array> {
  const r = await compiler.compile({ files, entrypoints: ["gateway/decision"], data: DATA });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.wasm;
}

test("compile produces an OPA wasm policy that opa-wasm evaluates", async () => {
  const r = await compiler.compile({ files, entrypoints: ["gateway/decision"] });
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(r.revision).toBe(new Bun.CryptoHasher("sha256").update(r.wasm).digest("hex"));
  const policy = await loadPolicy(r.wasm);
  policy.setData(DATA);
  const out: unknown = policy.evaluate({ user: "ann", model: "m2", tags: ["ok-1"], messages: [] });
  expect(out).toEqual([{ result: { allowed: true, reason: "ann may use m2", tier: "small" } }]);
});

test("test runs _test.rego with OPA's tester and reports pass/fail", async () => {
  const r = await compiler.test({ files: { ...files, "gateway/policy_test.rego": POLICY_TEST } });
  expect(r.errors).toEqual([]);
  expect(r.ok).toBe(false);
  const byName = Object.fromEntries(r.results.map((t) => [t.name, t]));
  expect(byName.test_allows_known_model?.pass).toBe(true);
  expect(byName.test_blocks_mallory?.pass).toBe(true);
  const failing = byName.test_deliberately_failing;
  expect(failing?.pass).toBe(false);
  expect(failing?.fail_reason).toStartWith("gateway/policy_test.rego:14:2: failed: data.gateway.decision.allowed");
  expect(failing?.package).toBe("gateway");
  expect(failing?.location).toEqual({ file: "gateway/policy_test.rego", line: 13, col: 1 });
});

test("syntax errors carry file:line:col", async () => {
  const bad = { "gateway/bad.rego": "package gateway\n\nallow if {\n  input.a ==\n}\n" };
  const r = await compiler.compile({ files: bad, entrypoints: ["gateway/allow"] });
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.errors[0]).toMatchObject({ file: "gateway/bad.rego", line: 5, col: 1, code: "rego_parse_error" });
  expect((await compiler.check({ files: bad })).errors[0]).toMatchObject({ file: "gateway/bad.rego", line: 5 });
});

test("builtins the wasm target cannot run are named at compile time", async () => {
  const src = { "gateway/net.rego": 'package gateway\n\ndecision := {"r": r}\n\nr := http.send({"method": "get", "url": "x"})\n' };
  const r = await compiler.compile({ files: src, entrypoints: ["gateway/decision"] });
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.errors).toEqual([
    {
      file: "gateway/net.rego",
      line: 5,
      col: 6,
      code: "rego_unsupported_builtin_error",
      message: "builtin http.send is not available to gateway policies: it needs the network at evaluation time; fetch data into policy data or config instead",
    },
  ]);
  // The same policy is fine for OPA's own evaluator.
  expect((await compiler.check({ files: src })).ok).toBe(true);
});

test("evalBatch (OPA topdown) agrees with opa-wasm", async () => {
  const inputs: Json[] = [
    { user: "ann", model: "m1", tags: [], messages: [] },
    { user: "bob", model: "m2", tags: ["ok-a", "ok-b"], messages: [{ tokens: 1 }, { tokens: 2 }, { tokens: 3 }] },
    { user: "eve", model: "m1", tags: [], messages: [] },
    { user: "ann", model: "m9", tags: [], messages: [] },
    { user: "ann", model: "m1", tags: ["bad"], messages: [] },
    { user: "ann", model: "m1", messages: [] },
  ];
  const policy = await loadPolicy(await compilePolicy());
  policy.setData(DATA);
  const wasmResults: unknown[] = inputs.map((input) => {
    const rs: unknown = policy.evaluate(input);
    return Array.isArray(rs) && rs.length > 0 ? (rs[0] as { result: unknown }).result : undefined;
  });

  const r = await compiler.evalBatch({ files, data: DATA, query: "data.gateway.decision", inputs });
  expect(r.ok).toBe(true);
  const topdownResults: unknown[] = r.results.map((o) => (o.defined ? o.result : undefined));
  expect(topdownResults).toEqual(wasmResults);
  expect(r.results[1]?.result).toEqual({ allowed: true, reason: "bob may use m2", tier: "large" });
});

test("eval evaluates one input and reports undefined", async () => {
  const r = await compiler.eval({ files, data: DATA, query: "data.gateway.token_total", input: { messages: [{ tokens: 5 }, { tokens: 7 }] } });
  expect(r).toMatchObject({ ok: true, defined: true, result: 12 });
  const u = await compiler.eval({ files, query: "data.gateway.nope", input: {} });
  expect(u).toMatchObject({ ok: true, defined: false });
});

test("check reports type errors", async () => {
  const r = await compiler.check({ files: { "a.rego": "package a\n\nx := upper(1)\n" } });
  expect(r.ok).toBe(false);
  expect(r.errors[0]).toMatchObject({ file: "a.rego", line: 3, code: "rego_type_error" });
});

test("a panic inside an operation is returned as an error, and the runtime survives", async () => {
  const bridge = await GoBridge.start(new Uint8Array(await Bun.file(compilerWasmPath).arrayBuffer()));
  const panicked = JSON.parse(await bridge.call("__panic", "{}")) as { ok: boolean; errors: { message: string }[] };
  expect(panicked.ok).toBe(false);
  expect(panicked.errors[0]?.message).toContain("deliberate panic");
  const after = JSON.parse(await bridge.call("check", JSON.stringify({ files: { "a.rego": "package a\nx := 1" } })));
  expect(after).toEqual({ ok: true });
  await bridge.close();
  await bridge.close();
  await expect(bridge.call("check", "{}")).rejects.toThrow("closed");
});
