import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { PROVIDERS } from './providers.ts';
import { setupContract, type ContractEnv } from './setup.ts';

// Legacy text completions through the real openai SDK (`client.completions.create`): passed to
// the upstream's own /v1/completions on the OpenAI-wire providers, translated to chat elsewhere.
const NATIVE = new Set(['openai', 'azure', 'compat']);
type Json = Record<string, unknown>;

for (const p of PROVIDERS) {
  const native = NATIVE.has(p.name);
  describe(`legacy completions via the OpenAI SDK: ${p.name} (${native ? 'native' : 'through chat'})`, () => {
    let env: ContractEnv;
    let client: OpenAI;
    beforeAll(async () => {
      env = await setupContract(p);
      client = new OpenAI({ baseURL: env.gateway.url + '/v1', apiKey: 'tg-test-key', maxRetries: 0 });
    });
    afterAll(() => env.stop());
    const sent = () => env.requests.at(-1)!;

    test('a plain completion comes back in the legacy shape, with usage and the public model name', async () => {
      const r = await client.completions.create({ model: env.model('chat'), prompt: 'Say hello' });
      expect(r.object).toBe('text_completion');
      expect(r.id).toStartWith('cmpl-');
      expect(r.model).toBe(env.model('chat'));
      expect(r.choices).toHaveLength(1);
      expect(r.choices[0]!.text).toContain('Hello from');
      expect(r.choices[0]!.index).toBe(0);
      expect(r.choices[0]!.logprobs).toBeNull();
      expect(['stop', 'length']).toContain(r.choices[0]!.finish_reason);
      expect(Object.keys(r.usage!).sort()).toEqual(['completion_tokens', 'prompt_tokens', 'total_tokens']);
      expect(r.usage!.completion_tokens).toBeGreaterThan(0);
      // OpenAI's default of 16 is what the upstream is told, on either path.
      expect(JSON.stringify(sent().body)).toMatch(/"(max_tokens|maxOutputTokens|maxTokens)":16\b/);
      expect(sent().path).toContain(native ? '/completions' : p.name === 'bedrock' ? '/converse' : p.name === 'gemini' ? 'generateContent' : '/messages');
      if (native) expect(sent().path).not.toContain('/chat/');
    });

    test('stream delivers text pieces, a finish reason, and the usage chunk when asked', async () => {
      const stream = await client.completions.create({ model: env.model('chat'), prompt: 'Say hello', max_tokens: 50, stream: true, stream_options: { include_usage: true } });
      let text = '';
      let finish: string | null = null;
      let usage: OpenAI.CompletionUsage | undefined;
      let chunks = 0;
      for await (const chunk of stream) {
        chunks++;
        expect(chunk.object).toBe('text_completion');
        text += chunk.choices[0]?.text ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) {
          usage = chunk.usage;
          expect(chunk.choices).toEqual([]);
        }
      }
      expect(chunks).toBeGreaterThan(2);
      expect(text).toContain('Hello from');
      expect(finish).toBe('stop');
      expect(usage!.completion_tokens).toBeGreaterThan(0);
    });

    test('a stream without include_usage has no usage chunk', async () => {
      const stream = await client.completions.create({ model: env.model('chat'), prompt: 'Say hello', stream: true });
      for await (const chunk of stream) {
        expect(chunk.usage ?? null).toBeNull();
        expect(chunk.choices.length).toBeGreaterThan(0);
      }
    });

    if (native) {
      test('n=2, echo and logprobs are passed through to the upstream', async () => {
        const r = await client.completions.create({ model: env.model('chat'), prompt: 'Say hello', n: 2, echo: true, logprobs: 1, max_tokens: 20 });
        expect(r.choices.map((c) => c.index)).toEqual([0, 1]);
        for (const c of r.choices) {
          expect(c.text).toStartWith('Say hello');
          expect(c.logprobs!.tokens!.length).toBeGreaterThan(1);
        }
        expect(sent().body).toMatchObject({ n: 2, echo: true, logprobs: 1, prompt: 'Say hello' });
      });

      test('max_tokens 0 with echo and logprobs scores the prompt, as OpenAI allows', async () => {
        const r = await client.completions.create({ model: env.model('chat'), prompt: 'Say hello', max_tokens: 0, echo: true, logprobs: 0 });
        expect(r.choices[0]!.text).toBe('Say hello');
        expect(sent().body).toMatchObject({ max_tokens: 0, echo: true, logprobs: 0 });
      });

      test('an array of prompts gets n choices for each', async () => {
        const r = await client.completions.create({ model: env.model('chat'), prompt: ['one', 'two'], n: 2 });
        expect(r.choices.map((c) => c.index)).toEqual([0, 1, 2, 3]);
      });
    } else {
      for (const [param, extra] of [
        ['echo', { echo: true }],
        ['logprobs', { logprobs: 1 }],
        ['suffix', { suffix: ' and goodbye' }],
        ['best_of', { best_of: 3 }],
      ] as const) {
        test(`${param} is refused with a 400 naming it, before anything is sent`, async () => {
          const before = env.requests.length;
          const err = await client.completions.create({ model: env.model('chat'), prompt: 'Say hello', ...extra }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(OpenAI.BadRequestError);
          const e = err as InstanceType<typeof OpenAI.BadRequestError>;
          expect(e.param).toBe(param);
          expect(e.message).toContain(param);
          expect(env.requests.length).toBe(before);
        });
      }

      // Gemini has candidateCount; Anthropic and Bedrock Converse answer once a call, so the choices fan out.
      const fansOut = p.name !== 'gemini';
      test(`n=2 gets two choices${fansOut ? ', one upstream call each' : ''}`, async () => {
        const before = env.requests.length;
        const r = await client.completions.create({ model: env.model('chat'), prompt: 'Say hello', n: 2 });
        expect(r.choices.map((c) => c.index)).toEqual([0, 1]);
        for (const c of r.choices) expect(c.text).toContain('Hello from');
        expect(env.requests.length - before).toBe(fansOut ? 2 : 1);
      });

      if (fansOut) {
        test('several prompts × n fan out: one call per choice, choices in order, usage summed', async () => {
          const one = await client.completions.create({ model: env.model('chat'), prompt: 'Say hello' });
          const before = env.requests.length;
          const r = await client.completions.create({ model: env.model('chat'), prompt: ['first prompt', 'second prompt', 'third prompt'], n: 2 });
          expect(r.choices.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5]);
          const bodies = env.requests.slice(before).map((q) => JSON.stringify(q.body));
          expect(bodies).toHaveLength(6);
          for (const prompt of ['first prompt', 'second prompt', 'third prompt']) expect(bodies.filter((b) => b.includes(prompt))).toHaveLength(2);
          expect(r.usage!.completion_tokens).toBe(6 * one.usage!.completion_tokens);
          expect(r.usage!.total_tokens).toBe(r.usage!.prompt_tokens + r.usage!.completion_tokens);
        });

        test('several choices cannot stream: a 400 naming stream, before anything is sent', async () => {
          const before = env.requests.length;
          const err = await client.completions.create({ model: env.model('chat'), prompt: ['a', 'b'], stream: true }).catch((e: unknown) => e);
          expect([(err as InstanceType<typeof OpenAI.BadRequestError>).status, (err as InstanceType<typeof OpenAI.BadRequestError>).param]).toEqual([400, 'stream']);
          expect(env.requests.length).toBe(before);
        });
      }

      test(`${fansOut ? 'two prompts get a choice each' : 'more than one prompt is refused naming prompt'}; token ids are read as cl100k_base text`, async () => {
        const many = await client.completions.create({ model: env.model('chat'), prompt: ['one', 'two'] }).catch((e: unknown) => e);
        if (fansOut) expect((many as OpenAI.Completion).choices).toHaveLength(2);
        else expect((many as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('prompt');
        // "Say hello" in cl100k_base.
        const r = await client.completions.create({ model: env.model('chat'), prompt: [46864, 24748] });
        expect(r.choices[0]!.text).toContain('Hello from');
        expect(JSON.stringify(sent().body)).toContain('Say hello');
      });
    }

    test('an upstream failure comes back in the OpenAI error schema', async () => {
      const err = await client.completions.create({ model: env.model('error500'), prompt: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBeGreaterThanOrEqual(500);
      expect(((err as InstanceType<typeof OpenAI.APIError>).error as Json)?.message).toBeString();
    });
  });
}
