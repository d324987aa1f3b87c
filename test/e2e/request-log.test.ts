import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { startTestGateway } from '../helpers/gateway.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { sha256Hex } from '../../src/lib/hash.ts';
import type { Gateway } from '../../src/server/start.ts';

// One gateway with a small policy: `blocked` is denied with a reason, everything else has its
// emails and phone numbers masked. The logger is the real one (text format), captured.
const dir = mkdtempSync(join(tmpdir(), 'tollgate-reqlog-'));
const KEY = 'tg-reqlog-key-5f1c9a0b7e3d42c8a6b1';
const lines: string[] = [];
let gw: Gateway;

const POLICY = `package gateway

decision := {"allowed": false, "http_status": 403, "message": "blocked is not for you", "reasons": ["models: blocked is off limits"]} if input.request.model == "blocked"

decision := {"allowed": true, "redact": ["email", "phone", "card"]} if input.request.model != "blocked"
`;

beforeAll(async () => {
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'decision.rego'), POLICY);
  const logger = createLogger({ level: 'info', format: 'text', write: (t) => lines.push(...t.split('\n').filter(Boolean)) });
  gw = await startTestGateway(
    {
      server: { host: '127.0.0.1', port: 0 },
      database: { url: `file:${join(dir, 'db.sqlite')}` },
      logging: { format: 'text' },
      providers: { mock: { type: 'mock' } },
      models: { chat: { provider: 'mock', model: 'mock/ok' }, blocked: { provider: 'mock', model: 'mock/ok' } },
      keys: [{ name: 'ci-bot', team: 'ml', hash: `sha256:${sha256Hex(KEY)}` }],
      policy: { dir: join(dir, 'policies'), watch: false },
    },
    { logger },
  );
});
afterAll(async () => {
  await gw?.stop();
});

const PROMPT = 'Mail jane.doe@example.com or call +44 20 7946 0958 about order 12345.';
const call = (path: string, body: unknown, key: string | null = KEY) =>
  fetch(gw.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });
const requestLines = () => lines.filter((l) => / INFO +request /.test(l));

describe('redaction is reported', () => {
  test('OpenAI schema: header names the masked types and the prompt left masked', async () => {
    const r = await call('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: PROMPT }] });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-tollgate-redacted')).toBe('email,phone');
    const j = (await r.json()) as { choices: { message: { content: string } }[] };
    expect(j.choices[0]!.message.content).toContain('[REDACTED:email]');
    expect(j.choices[0]!.message.content).not.toContain('jane.doe@example.com');
  });

  test('Anthropic schema: the same header', async () => {
    const r = await call('/v1/messages', { model: 'chat', max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-tollgate-redacted')).toBe('email,phone');
    const j = (await r.json()) as { content: { text: string }[] };
    expect(j.content[0]!.text).toContain('[REDACTED:phone]');
  });

  test('a prompt without PII carries no header', async () => {
    const r = await call('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'hello' }] });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-tollgate-redacted')).toBeNull();
  });
});

describe('request log lines', () => {
  test('a served request names key, team and outcome', async () => {
    await call('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'log me' }] });
    const line = requestLines().find((l) => l.includes('outcome=ok'));
    expect(line).toContain('key=ci-bot');
    expect(line).toContain('team=ml');
  });

  test('a deny carries the decision reasons', async () => {
    const r = await call('/v1/chat/completions', { model: 'blocked', messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(403);
    const line = requestLines().find((l) => l.includes('status=403'));
    expect(line).toContain('key=ci-bot');
    expect(line).toContain('outcome=forbidden');
    expect(line).toContain('reasons=["models: blocked is off limits"]');
  });

  test('a body the schema refuses is logged like other refusals, naming the field', async () => {
    const r = await call('/v1/messages', { model: 'chat', max_tokens: 'lots', messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(400);
    const line = requestLines().find((l) => l.includes('status=400') && l.includes('param=max_tokens'));
    expect(line).toContain('path=/v1/messages');
    expect(line).toContain('key=ci-bot');
    expect(line).toContain('model=chat');
    expect(line).toContain('outcome=invalid_request');
  });

  test('401s are logged without any key material', async () => {
    const wrong = 'tg-not-a-real-key-9c1d2e3f4a5b6c7d';
    expect((await call('/v1/chat/completions', { model: 'chat', messages: [] }, wrong)).status).toBe(401);
    expect((await call('/v1/messages', { model: 'chat', messages: [] }, null)).status).toBe(401);
    const refused = requestLines().filter((l) => l.includes('status=401'));
    expect(refused.length).toBe(2);
    expect(refused[0]).toContain('error="unknown key"');
    expect(refused[1]).toContain('error="no API key"');
    const all = lines.join('\n');
    for (const secret of [KEY, wrong]) {
      expect(all).not.toContain(secret);
      // Nor a recognisable piece of it (a prefix or suffix of 12 characters).
      expect(all).not.toContain(secret.slice(0, 12));
      expect(all).not.toContain(secret.slice(-12));
      expect(all).not.toContain(sha256Hex(secret));
    }
  });
});

test('the usage rows record what was redacted', async () => {
  await gw.stop();
  const db = createClient({ url: `file:${join(dir, 'db.sqlite')}` });
  const rows = (await db.execute('SELECT endpoint, redacted FROM usage WHERE status = 200 ORDER BY created_at')).rows;
  db.close();
  const byEndpoint = rows.map((r) => `${r.endpoint}:${r.redacted ?? '-'}`);
  expect(byEndpoint).toContain('chat.completions:email,phone');
  expect(byEndpoint).toContain('messages:email,phone');
  expect(byEndpoint).toContain('chat.completions:-');
});
