import { MODELS } from './app.ts';
import { prng } from '../../support/prng.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Rand = () => number;

export interface FuzzCase {
  method: string;
  path: string;
  /** The raw body (possibly not JSON at all), or undefined for none. */
  body?: string;
  headers: Record<string, string>;
  /** The public model the body names, when it names one as a string. */
  model?: string;
  /** How the case was made, for the report. */
  how: string;
  /** Nesting spliced into the body, when there is some. */
  depth?: number;
}

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const TYPES = ['text', 'image', 'image_url', 'tool_use', 'tool_result', 'document', 'thinking', 'input_audio', 'file', 'json_schema', 'function', 'refusal', 'x'];
const ROLES = ['user', 'assistant', 'system', 'tool', 'developer', 'function', 'model', ''];

function value(r: Rand, depth = 0): Json {
  const k = Math.floor(r() * (depth > 3 ? 14 : 20));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return 0;
    case 3: return -1;
    case 4: return pick(r, [1.5, -0.5, 1e308, -1e308, 2 ** 53 + 1, 5e-324, 1e21, 4294967296]);
    case 5: return '';
    case 6: return pick(r, ['hi', 'x'.repeat(1 + Math.floor(r() * 5000)), '\u0000', '\ud800', '\u202e', '__proto__', 'constructor', '{"a":1}', 'sk-ant-1234567890abcdef', '+1 555 123 4567', 'data:image/png;base64,AAAA', 'https://example.com/x.png']);
    case 7: return Math.floor(r() * 1000);
    case 8: return pick(r, MODELS);
    case 9: return pick(r, TYPES);
    case 10: return pick(r, ROLES);
    case 11: return -Math.floor(r() * 1e9);
    case 12: return [];
    case 13: return {};
    case 14: case 15: return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    case 16: return { type: pick(r, TYPES) };
    case 17: return { role: pick(r, ROLES), content: value(r, depth + 1) };
    default: return Object.fromEntries(Array.from({ length: 1 + Math.floor(r() * 3) }, () => [pick(r, ['type', 'text', 'content', 'name', 'id', 'input', 'source', 'image_url', 'url', 'arguments', 'function', 'parameters', 'schema', 'cache_control', 'x']), value(r, depth + 1)]));
  }
}

/** Replaces, deletes, adds or wraps one node somewhere in `root`. */
function mutate(r: Rand, root: Json): Json {
  const paths: { parent: Json[] | { [k: string]: Json }; key: string | number }[] = [];
  const walk = (n: Json) => {
    if (Array.isArray(n)) n.forEach((c, i) => (paths.push({ parent: n, key: i }), walk(c)));
    else if (n && typeof n === 'object') for (const [k, c] of Object.entries(n)) paths.push({ parent: n, key: k }), walk(c);
  };
  walk(root);
  if (!paths.length) return value(r);
  const at = pick(r, paths);
  const parent = at.parent as Record<string | number, Json>;
  const op = r();
  if (op < 0.45) parent[at.key] = value(r);
  else if (op < 0.65) {
    if (Array.isArray(at.parent)) at.parent.splice(at.key as number, 1);
    else delete parent[at.key];
  } else if (op < 0.8 && !Array.isArray(at.parent)) parent[pick(r, ['stream', 'tools', 'tool_choice', 'response_format', 'n', 'stop', 'max_tokens', 'temperature', 'system', 'metadata', 'thinking', 'x'])] = value(r);
  else if (op < 0.9) parent[at.key] = [parent[at.key]!];
  else parent[at.key] = { type: pick(r, TYPES), content: parent[at.key]! };
  return root;
}

const user = (text: Json) => ({ role: 'user', content: text });
function seedBody(r: Rand, endpoint: string): Json {
  const model = pick(r, MODELS);
  const stream = r() < 0.3;
  switch (endpoint) {
    case '/v1/chat/completions':
      return pick<Json>(r, [
        { model, messages: [user('hi')], stream },
        { model, messages: [{ role: 'system', content: 'be brief' }, user([{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }])], max_tokens: 16, temperature: 0.5 },
        { model, messages: [user('weather?'), { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'w', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 't1', content: 'sunny' }], tools: [{ type: 'function', function: { name: 'w', parameters: { type: 'object', properties: {} } } }], tool_choice: 'auto', stream },
        { model, messages: [user('json')], response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' } } }, n: 2, stop: ['x'] },
      ]);
    case '/v1/messages':
    case '/v1/messages/count_tokens':
      return pick<Json>(r, [
        { model, max_tokens: 64, messages: [user('hi')], stream },
        { model, max_tokens: 64, system: [{ type: 'text', text: 'be brief' }], messages: [user([{ type: 'text', text: 'hi' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }])] },
        { model, max_tokens: 64, tools: [{ name: 'w', input_schema: { type: 'object' } }], messages: [user('w?'), { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'w', input: {} }] }, user([{ type: 'tool_result', tool_use_id: 't1', content: 'sunny' }])], stream },
        { model, max_tokens: 64, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [user('think')], metadata: { user_id: 'u' } },
      ]);
    case '/v1/completions':
      return pick<Json>(r, [
        { model, prompt: 'hi', stream },
        { model, prompt: ['a', 'b'], n: 2, max_tokens: 8, stop: ['x'] },
        { model, prompt: [1, 2, 3], echo: true, logprobs: 1, suffix: 's', best_of: 2 },
        { model, prompt: [[1, 2], [3]], stream, stream_options: { include_usage: true } },
      ]);
    case '/v1/embeddings':
      return pick<Json>(r, [{ model, input: 'hi' }, { model, input: ['a', 'b'], encoding_format: 'float' }, { model, input: [1, 2, 3], dimensions: 8 }]);
    case '/admin/keys':
      return pick<Json>(r, [{ name: 'k', team: 'ml' }, { name: 'k', budget: { usd: 12.5, period: 'day' }, models: ['chat'], rpm: 10, tpm: 1000 }, { name: 'k', expires_at: '2030-01-01T00:00:00Z', tags: ['a'] }]);
    case '/admin/teams':
      return pick<Json>(r, [{ id: 'ml', name: 'ML' }, { id: 'ops', budget: { usd: 100, period: 'month' }, models: ['*'] }]);
    case '/admin/users':
      return pick<Json>(r, [{ id: 'u1', team: 'ml' }, { id: 'u2', email: 'a@b.c', budget: { usd: 1, period: 'week' } }]);
    default:
      return {};
  }
}

/** Text that is not (quite) JSON: truncated, corrupted, deep, or bytes at random. */
function garble(r: Rand, text: string): string {
  switch (Math.floor(r() * 8)) {
    case 0: return text.slice(0, Math.floor(r() * text.length));
    case 1: { const i = Math.floor(r() * text.length); return text.slice(0, i) + pick(r, ['\u0000', '"', '}', ']', ',', '\\', '\ud800', 'NaN', 'undefined']) + text.slice(i); }
    case 2: return '\ufeff' + text;
    case 3: { const d = 1 + Math.floor(r() * 150); return '['.repeat(d) + ']'.repeat(d); }
    case 4: { const d = 1 + Math.floor(r() * 150); return '{"a":'.repeat(d) + '1' + '}'.repeat(d); }
    case 5: return Array.from({ length: Math.floor(r() * 64) }, () => String.fromCharCode(Math.floor(r() * 256))).join('');
    case 6: return pick(r, ['', 'null', '[]', '0', '"x"', 'true', '{}', '{"model":"chat"}']);
    default: return text.replace(/:/g, () => (r() < 0.1 ? '=' : ':'));
  }
}

const FIELDS = ['prompt', 'echo', 'suffix', 'best_of', 'max_tokens', 'max_completion_tokens', 'n', 'temperature', 'top_p', 'top_k', 'stop', 'stop_sequences', 'seed', 'logit_bias', 'logprobs', 'top_logprobs', 'presence_penalty', 'frequency_penalty', 'user', 'stream_options', 'tools', 'tool_choice', 'response_format', 'system', 'thinking', 'metadata', 'input', 'dimensions', 'encoding_format', 'budget', 'rpm', 'tpm', 'models', 'expires_at', 'team', 'name', 'id'];

const DEEP = '\u0001deep\u0001';

const CHAT = ['/v1/chat/completions', '/v1/completions', '/v1/messages', '/v1/messages/count_tokens', '/v1/embeddings'];
const ADMIN: [string, string, string][] = [
  ['POST', '/admin/keys', '/admin/keys'], ['PATCH', '/admin/keys/key_x', '/admin/keys'], ['POST', '/admin/keys/key_x/revoke', ''], ['POST', '/admin/keys/key_x/rotate', '/admin/keys'],
  ['POST', '/admin/teams', '/admin/teams'], ['PATCH', '/admin/teams/ml', '/admin/teams'], ['DELETE', '/admin/teams/ml', ''],
  ['POST', '/admin/users', '/admin/users'], ['PATCH', '/admin/users/u1', '/admin/users'], ['DELETE', '/admin/users/u1', ''],
  ['GET', '/admin/usage', ''], ['GET', '/admin/keys', ''], ['GET', '/admin/teams/ml', ''], ['GET', '/admin/users', ''],
];
const QUERY = ['', '?since=x', '?since=-1&until=1e308', '?group_by=nope', '?limit=-5', '?limit=99999999999', '?team=%00', '?key=%ZZ', '?since=2026-01-01&group_by=model,team'];

/** One malformed (or slightly wrong) request against one of the endpoints. */
export function fuzzCase(r: Rand, keys: { client: string; master: string }): FuzzCase {
  const roll = r();
  let method = 'POST';
  let path: string;
  let seedPath: string;
  let token = keys.client;
  if (roll < 0.7) path = seedPath = pick(r, CHAT);
  else if (roll < 0.75) {
    method = pick(r, ['GET', 'POST']);
    path = seedPath = '/v1/models';
  } else {
    const [m, p, s] = pick(r, ADMIN);
    method = m;
    path = p + (m === 'GET' ? pick(r, QUERY) : '');
    seedPath = s;
    token = keys.master;
  }
  let body: Json = seedBody(r, seedPath);
  const mutations = Math.floor(r() * 5);
  for (let i = 0; i < mutations; i++) body = mutate(r, body);
  let how = `${mutations} mutations`;
  let depth = 0;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    // A known field set to something it should never be (counts, limits, nested schemas).
    if (r() < 0.3) {
      const field = pick(r, FIELDS);
      body[field] = value(r);
      how += `, ${field} set`;
    }
    if (r() < 0.01) {
      depth = pick(r, [500, 5_000, 50_000, 100_000]);
      body[pick(r, ['response_format', 'tools', 'metadata', 'messages'])] = DEEP;
      how += `, nested ${depth} deep`;
    }
  }
  let text: string | undefined = JSON.stringify(body);
  // Deep nesting is spliced in as text: JSON.stringify itself overflows on it.
  if (depth) text = text.replace(JSON.stringify(DEEP), '['.repeat(depth) + ']'.repeat(depth));
  if (r() < 0.25) {
    text = garble(r, text);
    how += ', garbled';
  }
  if (method === 'GET' && r() < 0.7) text = undefined;
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': pick(r, ['application/json', 'application/json', 'text/plain', '']) };
  if (r() < 0.05) headers['anthropic-beta'] = pick(r, ['x', '', 'a,b,,c']);
  const model = body && typeof body === 'object' && !Array.isArray(body) && typeof body.model === 'string' ? body.model : undefined;
  return { method, path, body: text, headers, model, how, depth: depth || undefined };
}
