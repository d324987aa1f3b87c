import { afterAll, beforeAll, expect, test } from "bun:test";
import { createRegoCompiler, type RegoCompiler } from "./index.ts";

const POLICY = `package gateway

default allowed := false

allowed if count(deny) == 0

deny contains "no model" if not input.model

deny contains msg if {
	some t in input.tags
	startswith(t, "bad")
	msg := concat(" ", ["bad tag", t])
}

decision := {"allowed": allowed, "reasons": deny}
`;
const files = { "gateway/policy.rego": POLICY };

let compiler: RegoCompiler;
beforeAll(async () => {
  compiler = await createRegoCompiler();
}, 120_000);
afterAll(async () => {
  await compiler?.close();
});

test("explain lists the rules that succeeded, in order, with their locations, and OPA's trace", async () => {
  const r = await compiler.explain({ files, query: "data.gateway.decision", input: { model: "m", tags: ["bad1", "ok", "bad2"] } });
  expect(r).toMatchObject({ ok: true, defined: true, result: { allowed: false, reasons: ["bad tag bad1", "bad tag bad2"] } });
  const byName = Object.fromEntries(r.rules.map((x) => [x.rule + (x.default ? " (default)" : ""), x]));
  // The partial rule succeeded once per bad tag; `allowed` came from its default.
  expect(byName["data.gateway.deny"]).toMatchObject({ location: { file: "gateway/policy.rego", line: 9 }, times: 2 });
  expect(byName["data.gateway.allowed (default)"]).toMatchObject({ location: { line: 3 } });
  expect(byName["data.gateway.allowed"]).toBeUndefined();
  expect(r.rules.at(-1)!.rule).toBe("data.gateway.decision");
  expect(r.trace).toContain("Enter data.gateway.decision");
  expect(r.trace).toContain("gateway/policy.rego:");
});

test("explain of an allowed input, and a compile error reported as problems", async () => {
  const ok = await compiler.explain({ files, query: "data.gateway.decision", input: { model: "m", tags: [] } });
  expect(ok.result).toEqual({ allowed: true, reasons: [] });
  expect(ok.rules.map((x) => x.rule)).toContain("data.gateway.allowed");
  expect(ok.rules.find((x) => x.rule === "data.gateway.allowed")!.default).toBeUndefined();
  const bad = await compiler.explain({ files: { "p.rego": "package gateway\n\nx := {\n" }, query: "data.gateway.x" });
  expect(bad.ok).toBe(false);
  expect(bad.rules).toEqual([]);
  expect(bad.errors[0]).toMatchObject({ file: "p.rego", line: expect.any(Number) });
});
