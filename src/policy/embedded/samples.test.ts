import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createRegoCompiler } from '../compiler/index.ts';
import type { RegoCompiler } from '../compiler/types.ts';
import { createPolicyEngine } from '../engine.ts';
import type { PolicyInput } from '../input.ts';
import { compileCache, type CompileCache } from '../compile-cache.ts';
import { compilePolicySources } from '../loader.ts';
import { mergeData, type PolicySources } from '../policy-files.ts';
import { embeddedPolicySources } from './index.ts';
import { precompiledPolicies } from './precompiled.ts';

/*
 * The sample data (policies/examples/) ships switched off: out of the box the built-in policies
 * restrict and reroute nothing. Moved to data/, as each sample's header says, it does what its
 * comments promise.
 */

let compiler: RegoCompiler;
// As the gateway starts: the built-in policies as the build compiled and tested them (a build
// older than the sources misses and compiles them), anything else compiled and tested here.
let builtIn: CompileCache;
beforeAll(async () => {
  compiler = await createRegoCompiler();
  const seed = await precompiledPolicies();
  builtIn = compileCache({ seed: seed ? [seed] : [] });
});
afterAll(() => compiler.close());

/** The built-in policies with the given samples moved from examples/ to data/. */
function withSamples(names: string[]): PolicySources {
  const s = embeddedPolicySources();
  const dataFiles = Object.fromEntries(Object.entries(s.dataFiles).map(([path, doc]) => [names.some((n) => path === `examples/${n}.yaml`) ? path.replace('examples/', 'data/') : path, doc]));
  return { ...s, dataFiles };
}

async function decide(sources: PolicySources, input: unknown) {
  const r = await compilePolicySources(sources, { compiler, cache: builtIn });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const engine = await createPolicyEngine({ wasm: r.policy.wasm, data: r.policy.data });
  return engine.evaluate(input as PolicyInput).decision;
}

// A support-team key asking for gpt-4o with a short prompt holding an email address.
const shortGpt4o = {
  request: { endpoint: 'chat.completions', model: 'gpt-4o', estimated_input_tokens: 3, tool_count: 0, image_count: 0, catalog_target: { provider: 'openai', model: 'gpt-4o' } },
  key: { team: 'support', name: 'ci-bot' },
  providers: { openai: { data_residency: 'public', type: 'openai' }, anthropic: { data_residency: 'public', type: 'anthropic' } },
  signals: { pii_types: ['email'] },
  time: { weekday: 'monday', hour: 10 },
};

describe('sample policy data', () => {
  test('is shipped inactive: the only data is under data.examples', () => {
    const { data, errors } = mergeData(embeddedPolicySources().dataFiles);
    expect(errors).toEqual([]);
    expect(Object.keys(data)).toEqual(['examples']);
  });

  test('out of the box the request is allowed as sent: no deny, reroute, limit or redaction', async () => {
    expect(await decide(embeddedPolicySources(), shortGpt4o)).toEqual({ allowed: true, log_prompts: false, tags: ['team:support'] });
  }, 30_000);

  test('teams.yaml enabled: a team is denied a model outside its list, keys are limited', async () => {
    const d = await decide(withSamples(['teams']), shortGpt4o);
    expect(d).toMatchObject({ allowed: false, http_status: 403 });
    expect(d.message).toBe("model 'gpt-4o' is not allowed for key 'ci-bot'; model 'gpt-4o' is not allowed for team 'support'");
  }, 30_000);

  test('routing.yaml enabled: a short prompt goes to the cheaper model first', async () => {
    const d = await decide(withSamples(['routing']), shortGpt4o);
    expect(d.targets).toEqual({
      mode: 'ordered',
      targets: [
        { provider: 'openai', model: 'gpt-4o-mini' },
        { provider: 'openai', model: 'gpt-4o' },
        { provider: 'anthropic', model: 'claude-sonnet-4-5' },
      ],
    });
  }, 30_000);

  test('pii.yaml enabled: PII bound for a public provider is redacted', async () => {
    expect((await decide(withSamples(['pii']), shortGpt4o)).redact).toEqual(['email']);
  }, 30_000);
});
