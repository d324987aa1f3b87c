import { describe, expect, test } from 'bun:test';
import { GatewayError } from '../../lib/errors.ts';
import { cassette, chatTranslator, expectedUsage, fixtureJson, fixtureNames, type GResponse, type OACompletion } from '../../../test/support/gemini-fixtures.ts';

const answer = (json: unknown, logprobs = false) => chatTranslator({ logprobs }).response(json) as OACompletion;

describe('non-streamed answers recorded from Gemini', () => {
  const unary = fixtureNames().filter((n) => /^firebase.*unary-success.*\.json$/.test(n) && 'candidates' in (fixtureJson(n) as GResponse));
  test('there are recordings to replay', () => expect(unary.length).toBeGreaterThan(30));

  for (const name of [...unary, ...fixtureNames().filter((n) => /^vercel-ai_google_google-(text|reasoning|tool-call).*\.json$/.test(n))]) {
    test(name, () => {
      const json = fixtureJson(name) as GResponse;
      const t = chatTranslator();
      const out = t.response(json) as OACompletion;
      expect(out).toMatchObject({ object: 'chat.completion', model: 'my-gemini' });
      expect(out.id).toMatch(/^chatcmpl-/);
      const parts = json.candidates![0]!.content?.parts ?? [];
      const texts = parts.filter((p) => typeof p.text === 'string' && !p.thought);
      const msg = out.choices[0]!.message;
      expect(msg.content).toBe(texts.length ? texts.map((p) => p.text).join('') : null);
      expect(msg.reasoning_content ?? '').toBe(parts.filter((p) => p.thought).map((p) => p.text).join(''));
      const calls = parts.flatMap((p) => (p.functionCall ? [p.functionCall] : []));
      expect((msg.tool_calls ?? []).map((c) => [c.type, c.function.name, JSON.parse(c.function.arguments) as unknown])).toEqual(calls.map((c) => ['function', c.name, c.args ?? {}]));
      expect(out.choices[0]!.finish_reason).toBe(calls.length ? 'tool_calls' : 'stop');
      expect(out.usage).toEqual(expectedUsage(json.usageMetadata));
      expect(t.usage().input_tokens).toBe(out.usage.prompt_tokens as number);
    });
  }

  test('pydantic-ai recordings: text, max tokens, cached content, thinking, tool calls', () => {
    let seen = 0;
    for (const name of fixtureNames().filter((n) => n.startsWith('pydantic-ai_test_') && n.includes('google'))) {
      for (const it of cassette(name)) {
        const body = it.response.parsed_body as GResponse | undefined;
        if (it.response.status.code !== 200 || !body?.candidates || !it.request.uri.includes(':generateContent')) continue;
        const out = answer(body);
        const parts = body.candidates[0]!.content?.parts ?? [];
        expect(out.choices[0]!.message.content ?? '').toBe(parts.filter((p) => typeof p.text === 'string' && !p.thought).map((p) => p.text).join(''));
        expect(out.usage).toEqual(expectedUsage(body.usageMetadata));
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(10);
    const cached = cassette('pydantic-ai_test_cache_test_google_model_cached_content.yaml')[1]!.response.parsed_body;
    expect(answer(cached).usage).toEqual({ prompt_tokens: 3520, completion_tokens: 44, total_tokens: 3564, prompt_tokens_details: { cached_tokens: 3512 }, completion_tokens_details: { reasoning_tokens: 42 } });
    const maxTokens = cassette('pydantic-ai_test_google_test_google_model_max_tokens.yaml')[0]!.response.parsed_body;
    expect(answer(maxTokens).choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'The capital of France is' } });
    const armor = cassette('pydantic-ai_test_google_test_google_model_armor_response_template_real_block.yaml')[0]!.response.parsed_body;
    expect(answer(armor).choices[0]).toMatchObject({ finish_reason: 'content_filter', message: { content: null } });
  });

  test('mixed text and parallel calls; several candidates', () => {
    const mixed = answer(fixtureJson('firebase-testdata_vertexai_unary-success-function-call-mixed-content.json')).choices[0]!.message;
    expect(mixed.content).toBe('The sum of [1, 2,3] is');
    expect(mixed.tool_calls!.map((c) => c.function.arguments)).toEqual(['{"y":1,"x":2}', '{"y":3,"x":3}']);
    expect(new Set(mixed.tool_calls!.map((c) => c.id)).size).toBe(2);
    const two = answer({ candidates: [0, 1].map((index) => ({ index, content: { parts: [{ text: `answer ${index}` }] }, finishReason: 'STOP' })) });
    expect(two.choices.map((c) => [c.index, c.message.content])).toEqual([[0, 'answer 0'], [1, 'answer 1']]);
  });

  test('logprobs come back in OpenAI form when asked for', () => {
    const body = cassette('pydantic-ai_test_google_test_google_vertex_logprobs.yaml')[0]!.response.parsed_body as GResponse;
    const lp = answer(body, true).choices[0]!.logprobs!;
    const chosen = body.candidates![0]!.logprobsResult!.chosenCandidates;
    expect(lp.content.map((t) => t.token).join('')).toBe('2 + 2 = 4');
    expect(lp.content[0]).toMatchObject({ token: '2', logprob: chosen[0]!.logProbability, bytes: [50] });
    expect(lp.content[0]!.top_logprobs[1]).toMatchObject({ token: '4', logprob: -4.1320033 });
    expect(answer(body).choices[0]!.logprobs).toBeNull();
  });

  test('blocked prompts and filtered candidates are content_filter answers', () => {
    for (const name of ['googleai_unary-failure-only-prompt-feedback', 'vertexai_unary-failure-prompt-blocked-safety', 'vertexai_unary-failure-prompt-blocked-safety-with-message', 'vertexai_unary-failure-unknown-enum-prompt-blocked', 'vertexai_unary-failure-finish-reason-safety-no-content']) {
      const out = answer(fixtureJson(`firebase-testdata_${name}.json`));
      expect(out.choices).toHaveLength(1);
      expect(out.choices[0]).toMatchObject({ index: 0, finish_reason: 'content_filter', message: { role: 'assistant', content: null } });
    }
    expect(answer(fixtureJson('firebase-testdata_googleai_unary-failure-finish-reason-safety.json')).choices[0]!.message.content).toBe('Safety error incoming in 5, 4, 3, 2...');
    expect(answer(fixtureJson('firebase-testdata_vertexai_unary-failure-unknown-enum-finish-reason.json')).choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Some text' } });
  });

  test('failures the body reveals become the right GatewayError', () => {
    const kind = (name: string) => {
      try {
        answer(fixtureJson(`firebase-testdata_${name}.json`));
      } catch (e) {
        return e instanceof GatewayError ? [e.kind, e.code] : ['not a GatewayError'];
      }
      return ['no error'];
    };
    expect(kind('googleai_unary-failure-with-message-no-content')).toEqual(['upstream_error', 'OTHER']);
    expect(kind('vertexai_unary-failure-empty-content')[0]).toBe('upstream_invalid');
    expect(kind('vertexai_unary-failure-malformed-content')[0]).toBe('upstream_invalid');
    expect(kind('vertexai_unary-failure-invalid-response')[0]).toBe('upstream_invalid');
    expect(kind('vertexai_unary-success-total-tokens')[0]).toBe('upstream_invalid');
    // An error envelope in a 2xx body (a proxy relaying it) is still the upstream's failure.
    expect(kind('vertexai_unary-failure-quota-exceeded')).toEqual(['upstream_error', 'RESOURCE_EXHAUSTED']);
  });
});
