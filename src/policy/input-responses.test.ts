import { expect, test } from 'bun:test';
import { responsesRequest } from '../wire/responses.ts';
import { buildInput, policyInputSchema } from './input.ts';
import { redactBody } from '../enforce/redact-body.ts';
import { capMaxTokens } from '../enforce/cap-tokens.ts';

// The policy sees a Responses request with the same facts as a chat one.
const NOW = new Date('2025-03-07T17:59:59Z');
const body = responsesRequest.parse({
  model: 'gpt-4o',
  stream: true,
  max_output_tokens: 300,
  instructions: 'Be brief.',
  input: [
    { role: 'user', content: [{ type: 'input_text', text: 'Mail ann@example.com' }, { type: 'input_image', image_url: 'https://x/y.png' }] },
    { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{"card":"4111 1111 1111 1111"}' },
    { type: 'function_call_output', call_id: 'c1', output: 'found' },
  ],
  tools: [{ type: 'function', name: 'lookup', description: 'Find', parameters: { type: 'object' } }, { type: 'web_search' }],
  metadata: { project: 'apollo' },
});

test("the policy input for a Responses request: endpoint 'responses', counts, tools, server tools, PII and metadata", () => {
  const input = buildInput({ endpoint: 'responses', body, headers: new Headers(), now: NOW });
  expect(policyInputSchema.safeParse(input).success).toBe(true);
  expect(input.request).toMatchObject({ endpoint: 'responses', model: 'gpt-4o', stream: true, max_tokens: 300, message_count: 3, image_count: 1, tool_count: 1, tool_names: ['lookup'], server_tools: ['web_search'], metadata: { project: 'apollo' } });
  expect(input.request.estimated_input_tokens).toBeGreaterThan(10);
  expect(input.signals.pii_types).toEqual(expect.arrayContaining(['email', 'card']));
});

test('redaction masks instructions, message text, tool arguments and tool output; the cap lowers max_output_tokens', () => {
  const r = redactBody({ endpoint: 'responses', body }, ['email', 'card']);
  const sent = JSON.stringify(r.body);
  expect(sent).not.toContain('ann@example.com');
  expect(sent).not.toContain('4111 1111 1111 1111');
  expect(JSON.stringify(body)).toContain('ann@example.com'); // the client's object is untouched
  expect(capMaxTokens({ endpoint: 'responses', body }, 100).body.max_output_tokens).toBe(100);
  expect(capMaxTokens({ endpoint: 'responses', body }, 1000).body.max_output_tokens).toBe(300);
});
