import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../lib/errors.ts';
import { chatRequest, embeddingsRequest } from '../wire/openai.ts';
import { messagesRequest } from '../wire/anthropic.ts';
import { buildInput, policyInputJsonSchema, policyInputSchema, type BuildInputArgs } from './input.ts';

const NOW = new Date('2025-03-07T17:59:59Z'); // a Friday

function chat(body: unknown, extra: Partial<BuildInputArgs> = {}) {
  const input = buildInput({ endpoint: 'chat.completions', body: chatRequest.parse(body), headers: new Headers(), now: NOW, ...extra } as BuildInputArgs);
  expect(policyInputSchema.safeParse(input).success).toBe(true);
  return input;
}

describe('chat.completions', () => {
  const body = {
    model: 'gpt-4o',
    stream: true,
    max_tokens: 100,
    max_completion_tokens: 200,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Mail ann@example.com' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"card":"4111 1111 1111 1111"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'found' },
    ],
    tools: [{ type: 'function', function: { name: 'lookup', description: 'Find', parameters: { type: 'object' } } }],
    metadata: { team_hint: 'a', tags: 'x, y' },
  };

  test('counts, token estimate and PII', () => {
    const input = chat(body);
    const text = 'Be brief.' + 'Mail ann@example.com' + '{"card":"4111 1111 1111 1111"}' + 'found' + 'lookup' + 'Find' + '{"type":"object"}';
    expect(input.request).toMatchObject({
      endpoint: 'chat.completions',
      model: 'gpt-4o',
      stream: true,
      max_tokens: 200,
      estimated_input_tokens: Math.ceil(text.length / 4),
      message_count: 4,
      image_count: 1,
      tool_count: 1,
      tool_names: ['lookup'],
    });
    expect(input.signals).toEqual({ pii: { email: 1, phone: 0, card: 1, iban: 0, national_id: 0 }, pii_types: ['email', 'card'] });
  });

  test('metadata: body merged with the header, which wins; tags from both, de-duplicated', () => {
    const headers = new Headers({ 'x-tollgate-metadata': '{"team_hint":"b","app":"crm"}', 'x-tollgate-tags': 'y,z, ,z' });
    const input = chat(body, { headers });
    expect(input.request.metadata).toEqual({ team_hint: 'b', tags: 'x, y', app: 'crm' });
    expect(input.request.tags).toEqual(['y', 'z', 'x']);
  });

  test.each([
    ['not JSON', '{nope'],
    ['an array', '["a"]'],
    ['a non-string value', '{"n": 1}'],
  ])('a metadata header that is %s is a 400 naming the header', (_why, value) => {
    let err: unknown;
    try {
      chat(body, { headers: new Headers({ 'x-tollgate-metadata': value }) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ kind: 'invalid_request', status: 400, param: 'x-tollgate-metadata' });
  });

  test('only allow-listed headers, never credentials', () => {
    const headers = new Headers({
      authorization: 'Bearer sk-secret',
      'x-api-key': 'sk-secret',
      cookie: 'session=1',
      'user-agent': 'curl/8',
      'x-request-id': 'r1',
      'openai-organization': 'org-1',
      'x-custom': 'no',
    });
    const input = chat(body, { headers });
    expect(input.request.headers).toEqual({ 'user-agent': 'curl/8', 'x-request-id': 'r1', 'openai-organization': 'org-1' });
    expect(JSON.stringify(input)).not.toContain('sk-secret');
  });

  test('anonymous key, zero usage, no providers', () => {
    const input = chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(input.key).toEqual({ id: null, name: null, team: null, user: null, tags: [], created_at: null, expires_at: null });
    expect(input.usage.team).toEqual({ day_usd: 0, month_usd: 0, day_requests: 0, month_requests: 0, minute_requests: 0, minute_tokens: 0 });
    expect(input.providers).toEqual({});
    expect(input.request).toMatchObject({ stream: false, max_tokens: null, tool_names: [], estimated_input_tokens: 1, client_ip: null, catalog_target: null });
  });

  test('key, usage, providers, client ip and catalog target pass through', () => {
    const providers = { p: { healthy: true, error_rate: 0.1, p50_ms: 120, data_residency: 'private' as const, type: 'openai' } };
    const input = chat(
      { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
      { key: { name: 'k1', team: 'research' }, usage: { team: { month_usd: 12.5 } }, providers, clientIp: '10.0.0.1', catalogTarget: { provider: 'p', model: 'up' } },
    );
    expect(input.key).toMatchObject({ name: 'k1', team: 'research', user: null, tags: [] });
    expect(input.usage.team.month_usd).toBe(12.5);
    expect(input.usage.key.month_usd).toBe(0);
    expect(input.providers).toEqual(providers);
    expect(input.request.client_ip).toBe('10.0.0.1');
    expect(input.request.catalog_target).toEqual({ provider: 'p', model: 'up' });
  });
});

describe('time', () => {
  test.each([
    ['2025-03-07T17:59:59Z', 'friday', 17],
    ['2025-03-08T00:00:00Z', 'saturday', 0],
    ['2025-03-09T23:59:59.999Z', 'sunday', 23],
    ['2025-03-10T08:00:00+01:00', 'monday', 7],
  ])('%s is %s hour %d (UTC)', (iso, weekday, hour) => {
    const input = chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { now: new Date(iso) });
    expect(input.time).toEqual({ rfc3339: new Date(iso).toISOString(), weekday: weekday as 'monday', hour });
  });
});

describe('messages (Anthropic)', () => {
  test('system, blocks, tool use and nested tool results', () => {
    const body = messagesRequest.parse({
      model: 'claude-sonnet',
      max_tokens: 512,
      system: [{ type: 'text', text: 'You are +44 20 7946 0958' }],
      messages: [
        { role: 'user', content: 'IBAN DE89 3704 0044 0532 0130 00' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 's' }, { type: 'tool_use', id: 't', name: 'get', input: { ssn: '536-22-1234' } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'ok' }, { type: 'image', source: { type: 'url', url: 'https://x' } }] },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
            { type: 'web_search_tool_result', content: [] },
          ],
        },
      ],
      tools: [{ name: 'get', input_schema: { type: 'object' } }],
    });
    const input = buildInput({ endpoint: 'messages', body, headers: new Headers({ 'anthropic-beta': 'x' }), now: NOW });
    expect(policyInputSchema.safeParse(input).success).toBe(true);
    const text = 'You are +44 20 7946 0958' + 'IBAN DE89 3704 0044 0532 0130 00' + 'hmm' + '{"ssn":"536-22-1234"}' + 'ok' + 'get' + '{"type":"object"}';
    expect(input.request).toMatchObject({
      endpoint: 'messages',
      max_tokens: 512,
      message_count: 3,
      image_count: 2,
      tool_count: 1,
      tool_names: ['get'],
      estimated_input_tokens: Math.ceil(text.length / 4),
      headers: { 'anthropic-beta': 'x' },
    });
    expect(input.signals.pii_types).toEqual(['phone', 'iban', 'national_id']);
  });

  test('metadata.user_id becomes metadata', () => {
    const body = messagesRequest.parse({ model: 'c', max_tokens: 1, messages: [], metadata: { user_id: 'u-1' } });
    expect(buildInput({ endpoint: 'messages', body, headers: new Headers(), now: NOW }).request.metadata).toEqual({ user_id: 'u-1' });
  });
});

describe('embeddings', () => {
  const emb = (input: unknown) => buildInput({ endpoint: 'embeddings', body: embeddingsRequest.parse({ model: 'e', input }), headers: new Headers(), now: NOW }).request;
  test('a string', () => expect(emb('abcdefgh')).toMatchObject({ message_count: 1, estimated_input_tokens: 2, max_tokens: null, stream: false }));
  test('strings', () => expect(emb(['abcd', 'ann@example.com'])).toMatchObject({ message_count: 2, estimated_input_tokens: 5 }));
  test('one token array', () => expect(emb([1, 2, 3])).toMatchObject({ message_count: 1, estimated_input_tokens: 3 }));
  test('token arrays', () => expect(emb([[1, 2], [3]])).toMatchObject({ message_count: 2, estimated_input_tokens: 3 }));
});

test('docs/policy-input.schema.json is up to date (regenerate: tollgate policy schema)', () => {
  const file = join(import.meta.dir, '../../docs/policy-input.schema.json');
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(policyInputJsonSchema());
});
