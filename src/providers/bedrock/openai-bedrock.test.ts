import { describe, expect, test } from 'bun:test';
import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { DONE, type StreamEvent } from '../types.ts';
import { byteStream, cassette, chunkEvents, collect, fixtureJson, randomSizes, reassemble } from '../../../test/mocks/bedrock-fixtures.ts';
import { bedrockEvents } from './event-stream.ts';
import { openaiToBedrock } from './openai-bedrock.ts';

const ctx = { model: 'us.amazon.nova-micro-v1:0', publicModel: 'my-nova', clientHeaders: new Headers() };

function translator(opts: { stream?: boolean; includeUsage?: boolean } = {}) {
  const t = openaiToBedrock('bedrock');
  const body = { model: 'my-nova', messages: [{ role: 'user', content: 'Hi' }], stream: opts.stream ?? true } as OpenAIChatRequest;
  if (opts.includeUsage) body.stream_options = { include_usage: true };
  t.request(body, ctx);
  return t;
}

/** Runs decoded upstream events through a fresh translator, as the router does. */
function translate(events: StreamEvent[], includeUsage = true) {
  const t = translator({ includeUsage });
  const out = [...events.flatMap((e) => t.streamEvent(e)), ...t.streamEnd()];
  return { out, usage: t.usage(), r: reassemble(out) };
}

async function wireEvents(name: string, i = 0, sizes?: number[]): Promise<StreamEvent[]> {
  return collect(bedrockEvents(byteStream(cassette(name)[i]!.bytes!, sizes)));
}

function respond(json: unknown) {
  const t = translator({ stream: false });
  return { res: t.response(json) as { model: string; object: string; choices: { message: Record<string, unknown>; finish_reason: string }[]; usage: Record<string, unknown> }, usage: t.usage() };
}

function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error('expected a GatewayError');
}

describe('openaiToBedrock non-streaming responses (recorded Converse JSON)', () => {
  test('plain text (Nova)', () => {
    const { res, usage } = respond(cassette('pydantic-ai_test_bedrock_test_bedrock_model.yaml')[0]!.json);
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('my-nova');
    expect(res.choices[0]!.message).toEqual({ role: 'assistant', content: "Hello! How can I assist you today? Whether you have questions, need information, or just want to chat, I'm here to help.", refusal: null });
    expect(res.choices[0]!.finish_reason).toBe('stop');
    expect(res.usage).toEqual({ prompt_tokens: 7, completion_tokens: 30, total_tokens: 37, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } });
    expect(usage).toEqual({ input_tokens: 7, output_tokens: 30, cached_input_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 });
  });

  test('prompt-cache writes and reads are counted inside input_tokens', () => {
    const [write, read] = cassette('pydantic-ai_test_bedrock_test_bedrock_cache_write_and_read.yaml');
    const w = respond(write!.json);
    expect(w.usage).toEqual({ input_tokens: 1324, output_tokens: 5, cached_input_tokens: 0, cache_write_tokens: 1322, cache_write_1h_tokens: 0, reasoning_tokens: 0 });
    expect(w.res.usage.total_tokens).toBe(1329); // Bedrock's own totalTokens
    const r = respond(read!.json);
    expect(r.usage).toEqual({ input_tokens: 1324, output_tokens: 5, cached_input_tokens: 1322, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 });
    expect(r.res.usage.prompt_tokens_details).toEqual({ cached_tokens: 1322 });
    expect(r.res.choices[0]!.message.content).toBe('21');
  });

  test('reasoning goes to reasoning_content, not content (Claude)', () => {
    const { res } = respond(cassette('pydantic-ai_test_bedrock_test_bedrock_model_thinking_part_anthropic.yaml')[0]!.json);
    const m = res.choices[0]!.message;
    expect(m.reasoning_content).toBe('This is a straightforward question about crossing the street safely. I should provide clear, practical safety advice that applies generally, while noting that specific rules may vary by location.');
    expect(String(m.content).startsWith('Here are the basic steps for crossing the street safely:')).toBe(true);
    expect(String(m.content)).not.toContain('straightforward question');
  });

  test('tool calls with reasoning (Kimi K2) → tool_calls with JSON arguments', () => {
    const { res, usage } = respond(cassette('pydantic-ai_test_bedrock_test_bedrock_moonshotai_tool_call.yaml')[0]!.json);
    const m = res.choices[0]!.message;
    expect(m.content).toBeNull();
    expect(m.tool_calls).toEqual([{ id: 'functions.get_temperature:0', type: 'function', function: { name: 'get_temperature', arguments: '{"city":"London"}' } }]);
    expect(String(m.reasoning_content)).toContain('The user is asking for the current temperature in London.');
    expect(res.choices[0]!.finish_reason).toBe('tool_calls');
    expect([usage.input_tokens, usage.output_tokens]).toEqual([92, 75]);
  });

  test('tool_choice=required answer (Claude) carries zeroed cache counters', () => {
    const { res, usage } = respond(cassette('pydantic-ai_test_tool_choice_matrix_test_tool_choice_matrix__required-bedrock.yaml')[0]!.json);
    expect(res.choices[0]!.message.tool_calls).toEqual([{ id: 'tooluse_BvssH5zaRF-PkYOc3BFYJA', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
    expect(usage).toEqual({ input_tokens: 655, output_tokens: 38, cached_input_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 });
  });

  test('text blocks are joined and every toolUse becomes a call, in order (vercel)', () => {
    const { res } = respond(fixtureJson('vercel-ai_amazon-bedrock_amazon-bedrock-json-with-tools.1.json'));
    const m = res.choices[0]!.message;
    expect(m.content).toBe('Calling multiple tools.Finally the JSON response.');
    expect((m.tool_calls as { function: { name: string; arguments: string } }[]).map((c) => [c.function.name, c.function.arguments])).toEqual([
      ['tool-a', '{"param":"a"}'],
      ['tool-b', '{"param":"b"}'],
      ['json', '{"final":"result"}'],
    ]);
    const noArgs = respond(fixtureJson('vercel-ai_amazon-bedrock_amazon-bedrock-tool-no-args.json')).res.choices[0]!.message;
    expect(noArgs.content).toBe("I'll update the issue list for you.");
    expect((noArgs.tool_calls as { function: { arguments: string } }[])[0]!.function.arguments).toBe('{}');
  });

  test('a reasoning-only answer (Qwen3) has empty content', () => {
    const { res } = respond(cassette('pydantic-ai_test_bedrock_test_bedrock_thinking_high_qwen_variant.yaml')[0]!.json);
    expect(res.choices[0]!.message.content).toBe('');
    expect(String(res.choices[0]!.message.reasoning_content)).toContain('the user wants me to reply with the single word');
  });

  test('stop reasons map to OpenAI finish reasons', () => {
    const base = { output: { message: { role: 'assistant', content: [{ text: 'x' }] } }, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } };
    const finish = (stopReason: string) => respond({ ...base, stopReason }).res.choices[0]!.finish_reason;
    expect(finish('end_turn')).toBe('stop');
    expect(finish('stop_sequence')).toBe('stop');
    expect(finish('max_tokens')).toBe('length');
    expect(finish('model_context_window_exceeded')).toBe('length');
    expect(finish('guardrail_intervened')).toBe('content_filter');
    expect(finish('content_filtered')).toBe('content_filter');
    expect(thrown(() => finish('malformed_tool_use')).kind).toBe('upstream_error');
  });

  test('a malformed body is upstream_invalid', () => {
    expect(thrown(() => respond({ usage: {} })).kind).toBe('upstream_invalid');
    expect(thrown(() => respond({ output: { message: { content: 'hi' } }, stopReason: 'end_turn' })).kind).toBe('upstream_invalid');
    expect(thrown(() => respond({ output: { message: { content: [] } } })).kind).toBe('upstream_invalid');
  });
});

describe('openaiToBedrock streaming (recorded binary ConverseStream bodies)', () => {
  test('text stream, whole and split into 1-byte and random chunks, reassembles identically', async () => {
    const name = 'pydantic-ai_test_bedrock_test_bedrock_model_stream.yaml';
    const whole = translate(await wireEvents(name));
    expect(whole.r.content).toBe(
      'The capital of France is Paris. Paris is not only the capital city but also the most populous city in France, and it is a major center for culture, commerce, fashion, and international diplomacy. Known for its historical landmarks, such as the Eiffel Tower, the Louvre Museum, and Notre-Dame Cathedral, Paris is often referred to as "The City of Light" or "The City of Love."',
    );
    expect(whole.r.role).toBe('assistant');
    expect(whole.r.finish).toEqual(['stop']);
    expect(whole.r.usage).toEqual({ prompt_tokens: 13, completion_tokens: 82, total_tokens: 95, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } });
    expect(whole.r.done).toBe(true);
    expect(whole.out.at(-1)!.data).toBe(DONE);
    expect([...whole.r.models]).toEqual(['my-nova']);
    for (const sizes of [[1], randomSizes(3)]) {
      const split = translate(await wireEvents(name, 0, sizes));
      expect(split.r).toEqual(whole.r);
    }
  });

  test('text then a tool call, then the follow-up turn (Nova)', async () => {
    const name = 'pydantic-ai_test_bedrock_test_bedrock_model_iter_stream.yaml';
    const first = translate(await wireEvents(name, 0, [1]));
    expect(first.r.content.startsWith('<thinking> To find the temperature of the capital of France')).toBe(true);
    expect(first.r.toolCalls).toEqual([{ id: 'tooluse_lAG_zP8QRHmSYOwZzzaCqA', name: 'get_temperature', arguments: '{"city":"Paris"}' }]);
    expect(first.r.finish).toEqual(['tool_calls']);
    expect(first.usage).toMatchObject({ input_tokens: 471, output_tokens: 91 });
    const second = translate(await wireEvents(name, 1, randomSizes(11)));
    expect(second.r.content).toBe('The current temperature in Paris, the capital of France, is 30°C.');
    expect(second.r.finish).toEqual(['stop']);
    expect(second.usage).toMatchObject({ input_tokens: 577, output_tokens: 18 });
  });

  test('reasoning deltas stream as reasoning_content (Claude, gpt-oss with an empty text delta)', async () => {
    const claude = translate(await wireEvents('pydantic-ai_test_bedrock_test_bedrock_model_thinking_part_stream.yaml', 0, [5]));
    expect(claude.r.reasoning).toBe('The user has greeted me with a simple "Hello". I should respond in a friendly and welcoming manner. This is a straightforward greeting, so I\'ll respond warmly and ask how I can help them today.');
    expect(claude.r.content).toBe("Hello! It's nice to meet you. How can I help you today?");
    const oss = translate(await wireEvents('pydantic-ai_test_bedrock_test_bedrock_model_stream_empty_text_delta.yaml'));
    expect(oss.r.content).toBe('Hello! How can I help you today?');
    expect(oss.r.reasoning).toBe('The user just says "Hi". We need to respond appropriately, friendly greeting. No special instructions. Should be short.');
    // The empty delta produced no chunk of its own.
    expect(oss.out.some((e) => e.data !== DONE && JSON.stringify(e.data).includes('"content":""') && !JSON.stringify(e.data).includes('"role"'))).toBe(false);
  });

  test('redacted reasoning is not shown; the answer text is', async () => {
    const { r } = translate(await wireEvents('pydantic-ai_test_bedrock_test_bedrock_model_thinking_part_redacted_stream.yaml'));
    expect(r.reasoning).toBe('');
    expect(r.content.startsWith("I notice you've sent what appears to be some kind of command")).toBe(true);
    expect(r.usage).toMatchObject({ prompt_tokens: 92, completion_tokens: 253 });
  });

  test("a server-side tool (Nova code interpreter) is not surfaced as the client's tool call", async () => {
    const { r } = translate(await wireEvents('pydantic-ai_test_bedrock_test_bedrock_model_code_execution_tool_stream.yaml'));
    expect(r.toolCalls).toEqual([{ id: 'tooluse_ptgCcZ0uQu-UUMz0abqoWw', name: 'final_result', arguments: '{"result":7006652.0}' }]);
    expect(r.finish).toEqual(['tool_calls']);
  });

  test('a stream cut before messageStop fails at the end as upstream_invalid', async () => {
    const events = await wireEvents('pydantic-ai_test_bedrock_test_bedrock_model_stream.yaml');
    const t = translator();
    const partial = events.slice(0, 5).flatMap((e) => t.streamEvent(e));
    expect(reassemble(partial).content).toBe('The capital of France is Paris. Paris is not only the capital city but');
    expect(thrown(() => t.streamEnd()).kind).toBe('upstream_invalid');
  });

  test('a mid-stream exception event is raised (throttling → rate_limited)', () => {
    const t = translator();
    t.streamEvent({ event: 'messageStart', data: { role: 'assistant' } });
    const e = thrown(() => t.streamEvent({ event: 'throttlingException', data: { message: 'Too many tokens' } }));
    expect([e.kind, e.message]).toEqual(['rate_limited', 'bedrock stream error (throttlingException): Too many tokens']);
  });
});

describe('openaiToBedrock streaming (vercel decoded chunks)', () => {
  const run = (name: string, includeUsage = true) => translate(chunkEvents(name), includeUsage);

  test('text with usage; no usage chunk unless the client asked', () => {
    const a = run('vercel-ai_amazon-bedrock_amazon-bedrock-text.chunks.txt');
    expect(a.r.content).toBe('Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** r\'s in "strawberry."');
    expect(a.r.usage).toMatchObject({ prompt_tokens: 22, completion_tokens: 55, total_tokens: 77 });
    const last = a.out.at(-2)!.data as { choices: unknown[]; usage: unknown };
    expect(last.choices).toEqual([]);
    const b = run('vercel-ai_amazon-bedrock_amazon-bedrock-text.chunks.txt', false);
    expect(b.r.usage).toBeUndefined();
    expect(b.r.content).toBe(a.r.content);
    expect(b.usage).toEqual(a.usage); // the ledger still sees usage
  });

  test('metadata before messageStop: finish first, then the usage chunk', () => {
    const { out, r } = run('vercel-ai_amazon-bedrock_amazon-bedrock-tool-call.1.chunks.txt');
    expect(r.toolCalls).toEqual([{ id: 'tool-use-id', name: 'test-tool', arguments: '{"value":"Sparkle Day"}' }]);
    expect(r.finish).toEqual(['tool_calls']);
    const kinds = out.map((e) => (e.data === DONE ? 'done' : (e.data as { usage?: unknown }).usage ? 'usage' : (e.data as { choices: { finish_reason: string | null }[] }).choices[0]!.finish_reason ?? 'delta'));
    expect(kinds.slice(-3)).toEqual(['tool_calls', 'usage', 'done']);
    // The first fragment of a tool call carries id, type and name; later ones only arguments.
    const first = (out[1]!.data as { choices: { delta: { tool_calls: unknown[] } }[] }).choices[0]!.delta.tool_calls[0];
    expect(first).toEqual({ index: 0, id: 'tool-use-id', type: 'function', function: { name: 'test-tool', arguments: '' } });
  });

  test('several tool calls get consecutive indexes; text between them is kept', () => {
    const { r } = run('vercel-ai_amazon-bedrock_amazon-bedrock-json-with-tools.1.chunks.txt');
    expect(r.content).toBe('Multiple tools.Final JSON.');
    expect(r.toolCalls.map((c) => [c.name, c.arguments])).toEqual([['tool-a', '{"a":"1"}'], ['tool-b', '{"b":"2"}'], ['json', '{"final":"result"}']]);
    const w = run('vercel-ai_amazon-bedrock_amazon-bedrock-json-tool-text-then-weather-then-json.1.chunks.txt');
    expect(w.r.toolCalls.map((c) => c.arguments)).toEqual(['{"location":"San Francisco"}', '{"location":"London"}']);
    expect(w.usage).toMatchObject({ input_tokens: 500, output_tokens: 100 });
  });

  test('a tool without arguments still receives "{}"', () => {
    const { r } = run('vercel-ai_amazon-bedrock_amazon-bedrock-tool-no-args.chunks.txt');
    expect(r.content).toBe("I'll update the issue list for you.");
    expect(r.toolCalls).toEqual([{ id: 'tool-use-id', name: 'updateIssueList', arguments: '{}' }]);
  });

  test('reasoning then text', () => {
    const { r } = run('vercel-ai_amazon-bedrock_amazon-bedrock-reasoning.chunks.txt');
    expect(r.reasoning).toBe('Let me count the r\'s in "strawberry":\n\ns-t-r-a-w-b-e-r-r-y\n\nr appears at positions 3, 8, and 9.\n\nSo there are 3 r\'s.');
    expect(r.content).toBe('There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y');
  });

  test('messageStop without metadata completes; the usage chunk reports zeros', () => {
    const { r, usage } = run('vercel-ai_amazon-bedrock_amazon-bedrock-json-tool.1.chunks.txt');
    expect(r.toolCalls).toEqual([{ id: 'json-tool-id', name: 'json', arguments: '{"value":"test"}' }]);
    expect(r.usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 0 });
    expect(usage.input_tokens).toBe(0);
  });

  test('vercel chunks and the equivalent JSON give the same answer', () => {
    const streamed = run('vercel-ai_amazon-bedrock_amazon-bedrock-reasoning.chunks.txt').r;
    const whole = respond(fixtureJson('vercel-ai_amazon-bedrock_amazon-bedrock-reasoning.json')).res.choices[0]!.message;
    expect(streamed.content).toBe(String(whole.content));
  });
});

describe('openaiToBedrock upstream errors', () => {
  test('recorded 400s keep the service message', () => {
    for (const name of ['pydantic-ai_test_bedrock_test_bedrock_error.yaml', 'pydantic-ai_test_bedrock_test_bedrock_streaming_error.yaml']) {
      const it = cassette(name)[0]!;
      const e = translator().error(it.status, JSON.stringify(it.json));
      expect([e.kind, e.status, e.message]).toEqual(['invalid_request', 400, 'bedrock returned 400: The provided model identifier is invalid.']);
    }
    const tools = cassette('pydantic-ai_test_anthropic_bedrock_count_tokens_test_anthropic_bedrock_count_tokens_rejects_server_tools.yaml')[0]!;
    expect(translator().error(tools.status, JSON.stringify(tools.json)).message).toContain("Input tag 'web_search_20250305'");
  });

  test('throttling is rate_limited; bad credentials are the gateway’s problem, not the caller’s', () => {
    const t = translator();
    expect(t.error(429, '{"message":"Too many requests, please wait before trying again."}').kind).toBe('rate_limited');
    const denied = t.error(403, '{"message":"The security token included in the request is invalid."}');
    expect([denied.kind, denied.status]).toEqual(['upstream_error', 502]);
  });
});
