import { expect } from 'bun:test';
import { Agent, OpenAIProvider, Runner, tool } from '@openai/agents';
import { z } from 'zod';
import { Matrix, ROUTES, useStage } from './harness.ts';

// The OpenAI Agents SDK: one agent with one function tool, run to its final output, on every
// route, with its default model (the Responses API) and with the chat-completions one. One
// setting differs from its defaults, because of this test's setting, not the gateway's
// behaviour: tracing off (it exports traces to api.openai.com).
const matrix = new Matrix('OpenAI Agents SDK (@openai/agents 0.20.0)');
const stage = useStage(matrix);

for (const route of ROUTES) for (const [client, useResponses] of [['@openai/agents', undefined], ['@openai/agents chat', false]] as const) {
  matrix.cell(client, route, 'agent + function tool', async () => {
    const calls: string[] = [];
    const weather = tool({
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: z.object({ location: z.string() }),
      execute: async ({ location }) => {
        calls.push(location);
        return `Sunny in ${location}`;
      },
    });
    const modelProvider = new OpenAIProvider({ baseURL: stage.url + '/v1', apiKey: 'anything', ...(useResponses === false ? { useResponses } : {}) });
    const agent = new Agent({ name: 'Weather', instructions: 'Answer with the weather tool.', tools: [weather], model: stage.model(route, 'tool') });
    const result = await new Runner({ modelProvider, tracingDisabled: true }).run(agent, 'What is the weather in Paris?');
    expect(calls).toEqual(['Paris']);
    expect(result.finalOutput).toContain('Sunny in Paris');
    const usage = result.state.usage;
    expect([usage.requests, usage.inputTokens, usage.outputTokens]).toEqual([2, 22, 14]);
  });
}
