import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { startPolicyGateway } from '../helpers/gateway.ts';
import { sha256Hex } from '../../src/lib/hash.ts';
import type { Gateway } from '../../src/server/start.ts';

// Issue 15 item 3: the request and its answer are kept only when the decision says
// log_prompts: true, PII-masked as the decision says, size-capped, streams reassembled.
const dir = mkdtempSync(join(tmpdir(), 'tollgate-capture-'));
const KEY = 'tg-capture-key-61d0f3a9b2c8';
const EMAIL = 'jane.doe@example.com';
let gw: Gateway;
let db: Client;

const POLICY = `package gateway

decision := {"allowed": true, "log_prompts": true, "redact": ["email"]} if input.request.model == "logged"

decision := {"allowed": true, "log_prompts": true} if input.request.model == "tiny"

decision := {"allowed": true, "log_prompts": false} if not input.request.model in {"logged", "tiny"}
`;

beforeAll(async () => {
  gw = await startPolicyGateway(dir, POLICY, { name: 'ci', team: 'ml', hash: `sha256:${sha256Hex(KEY)}` }, {
    capture: { max_bytes: 4096, retention: '7d' },
    providers: { mock: { type: 'mock' } },
    models: { logged: { provider: 'mock', model: 'mock/ok' }, plain: { provider: 'mock', model: 'mock/ok' }, tiny: { provider: 'mock', model: 'mock/long-3000' } },
  });
  db = createClient({ url: `file:${join(dir, 'db.sqlite')}` });
});
afterAll(async () => {
  db?.close();
  await gw?.stop();
});

const post = (path: string, body: unknown) =>
  fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });
interface CaptureRow {
  request: string;
  response: string | null;
  truncated: number;
  redacted: string;
  created_at: number;
  expires_at: number | null;
  endpoint: string;
}
const captureOf = async (requestId: string): Promise<CaptureRow | undefined> => {
  for (let i = 0; i < 150; i++) {
    const rows = (await db.execute({ sql: 'SELECT c.*, u.endpoint FROM usage u LEFT JOIN prompt_captures c ON c.request_id = u.request_id WHERE u.request_id = ?', args: [requestId] })).rows;
    if (rows.length) return rows[0]!.request === null ? undefined : (rows[0] as unknown as CaptureRow);
    await Bun.sleep(20);
  }
  throw new Error(`no usage row for ${requestId}`);
};

describe('prompt capture', () => {
  test('log_prompts: the request as it left and the answer, email masked on both sides, kept for capture.retention', async () => {
    const r = await post('/v1/chat/completions', { model: 'logged', messages: [{ role: 'user', content: `write to ${EMAIL} please` }] });
    expect(r.status).toBe(200);
    const answer = (await r.json()) as { choices: { message: { content: string } }[] };
    const c = await captureOf(r.headers.get('x-request-id')!);
    expect(c).toBeDefined();
    const row = JSON.stringify(c);
    expect(row).not.toContain(EMAIL);
    const req = JSON.parse(c!.request) as { model: string; messages: { content: string }[] };
    expect(req.messages[0]!.content).toContain('[REDACTED:email]');
    const res = JSON.parse(c!.response!) as { choices: { message: { content: string } }[] };
    expect(res.choices[0]!.message.content).toBe(answer.choices[0]!.message.content);
    expect([c!.truncated, c!.redacted]).toEqual([0, 'email']);
    expect(c!.expires_at! - c!.created_at).toBe(7 * 24 * 3600 * 1000);
  });

  test('a stream is reassembled into the answer the client read (OpenAI chat)', async () => {
    const r = await post('/v1/chat/completions', { model: 'logged', stream: true, messages: [{ role: 'user', content: 'stream this' }] });
    expect(r.status).toBe(200);
    const text = await r.text();
    const streamed = text
      .split('\n')
      .filter((l) => l.startsWith('data: {'))
      .map((l) => (JSON.parse(l.slice(6)) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '')
      .join('');
    expect(streamed.length).toBeGreaterThan(0);
    const c = await captureOf(r.headers.get('x-request-id')!);
    const res = JSON.parse(c!.response!) as { object: string; choices: { message: { role: string; content: string }; finish_reason: string }[] };
    expect(res.object).toBe('chat.completion');
    expect(res.choices[0]!.message).toEqual({ role: 'assistant', content: streamed });
    expect(res.choices[0]!.finish_reason).toBe('stop');
  });

  test('a stream is reassembled in the Anthropic schema for /v1/messages', async () => {
    const r = await post('/v1/messages', { model: 'logged', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'stream this too' }] });
    expect(r.status).toBe(200);
    const text = await r.text();
    const deltas = text
      .split('\n')
      .filter((l) => l.startsWith('data: {'))
      .map((l) => JSON.parse(l.slice(6)) as { type: string; delta?: { text?: string } })
      .filter((e) => e.type === 'content_block_delta')
      .map((e) => e.delta?.text ?? '')
      .join('');
    const c = await captureOf(r.headers.get('x-request-id')!);
    const res = JSON.parse(c!.response!) as { type: string; role: string; content: { type: string; text: string }[]; stop_reason: string };
    expect([res.type, res.role, res.stop_reason]).toEqual(['message', 'assistant', 'end_turn']);
    expect(res.content).toEqual([{ type: 'text', text: deltas }]);
  });

  test('log_prompts false (or absent): nothing is kept', async () => {
    const r = await post('/v1/chat/completions', { model: 'plain', messages: [{ role: 'user', content: `secret plan for ${EMAIL}` }] });
    expect(r.status).toBe(200);
    await r.text();
    expect(await captureOf(r.headers.get('x-request-id')!)).toBeUndefined();
  });

  test('past capture.max_bytes the answer is cut and the row says so', async () => {
    const r = await post('/v1/chat/completions', { model: 'tiny', max_tokens: 3000, messages: [{ role: 'user', content: 'a long answer' }] });
    expect(r.status).toBe(200);
    await r.text();
    const c = await captureOf(r.headers.get('x-request-id')!);
    expect(c!.truncated).toBe(1);
    expect(Buffer.byteLength(c!.response!)).toBeLessThanOrEqual(4096);
    expect(JSON.parse(c!.request)).toMatchObject({ model: 'tiny' });
  });
});
