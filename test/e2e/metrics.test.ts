import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { parsePrometheus, sumOf, type PromSample } from '../support/prometheus.ts';
import { startPolicyGateway, startTestGateway } from '../helpers/gateway.ts';
import { sha256Hex } from '../../src/lib/hash.ts';
import type { Gateway } from '../../src/server/start.ts';

// Known traffic through a real gateway, then /metrics parsed by a Prometheus text parser: the
// counters and histograms must say exactly what the ledger says.
const dir = mkdtempSync(join(tmpdir(), 'tollgate-metrics-'));
const KEY = 'tg-metrics-key-8c41d2b7a9e04f16';
const TOKEN = 'scrape-token-3f9a1c7e5b2d4a60';
let gw: Gateway;

const POLICY = `package gateway

decision := {"allowed": false, "http_status": 403, "message": "no", "reasons": ["blocked"]} if input.request.model == "blocked"

decision := {"allowed": true, "budget": {"scope": "team", "period": "month", "limit_usd": 2}} if input.request.model != "blocked"
`;

beforeAll(async () => {
  gw = await startPolicyGateway(dir, POLICY, { name: 'ci-bot', team: 'ml', hash: `sha256:${sha256Hex(KEY)}` }, {
    metrics: { token: TOKEN },
    providers: { mock: { type: 'mock' } },
    models: { chat: { provider: 'mock', model: 'mock/ok' }, blocked: { provider: 'mock', model: 'mock/ok' }, broken: { provider: 'mock', model: 'mock/error-500' } },
    prices: { 'mock/ok': { input: 3, output: 15 }, 'mock/error-500': { input: 3, output: 15 } },
  });
});
afterAll(async () => {
  await gw?.stop();
});

const chat = (model: string, stream = false) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model, stream, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: 'count the metrics please' }] }),
  });
const scrape = async (token = TOKEN) => {
  const r = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toStartWith('text/plain');
  return parsePrometheus(await r.text());
};

describe('GET /metrics after known traffic', () => {
  let fs: PromSample[];
  const overheads: number[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const r = await chat('chat');
      expect(r.status).toBe(200);
      overheads.push(Number(r.headers.get('x-tollgate-overhead-ms')));
      await r.text();
    }
    const s = await chat('chat', true);
    expect(s.status).toBe(200);
    await s.text();
    expect((await chat('blocked')).status).toBe(403);
    const b = await chat('broken');
    expect(b.status).toBeGreaterThanOrEqual(500);
    // The records reach the metrics when each request closes; wait until all six are counted.
    for (let i = 0; i < 100; i++) {
      fs = await scrape();
      if (sumOf(fs, 'tollgate_requests_total') >= 6) break;
      await Bun.sleep(20);
    }
  });

  test('requests by endpoint and outcome, decisions by result', () => {
    expect(sumOf(fs, 'tollgate_requests_total', { endpoint: 'chat.completions', outcome: 'ok', team: 'ml' })).toBe(4);
    expect(sumOf(fs, 'tollgate_requests_total', { status: '403' })).toBe(1);
    expect(sumOf(fs, 'tollgate_requests_total')).toBe(6);
    expect(sumOf(fs, 'tollgate_policy_decisions_total', { result: 'allow' })).toBe(5);
    expect(sumOf(fs, 'tollgate_policy_decisions_total', { result: 'deny', status: '403' })).toBe(1);
    expect(sumOf(fs, 'tollgate_policy_evaluation_duration_seconds_count')).toBe(6);
    // Key names are labels only when metrics.key_labels asks.
    expect(fs.filter((m) => m.name === 'tollgate_requests_total').every((m) => (m.labels.key ?? '') === '')).toBe(true);
  });

  test('GenAI token usage and spend equal the ledger', async () => {
    const db = createClient({ url: `file:${join(dir, 'db.sqlite')}` });
    let rows: { input_tokens: number; output_tokens: number; cost_micros: number; outcome: string }[] = [];
    for (let i = 0; i < 100 && rows.length < 6; i++) {
      rows = (await db.execute('SELECT input_tokens, output_tokens, cost_micros, outcome FROM usage')).rows as unknown as typeof rows;
      if (rows.length < 6) await Bun.sleep(20);
    }
    db.close();
    const ok = rows.filter((r) => r.outcome === 'ok');
    expect(ok.length).toBe(4);
    const want = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'mock', gen_ai_request_model: 'chat', gen_ai_response_model: 'mock/ok' };
    expect(sumOf(fs, 'gen_ai_client_token_usage_sum', { ...want, gen_ai_token_type: 'input' })).toBe(ok.reduce((s, r) => s + Number(r.input_tokens), 0));
    expect(sumOf(fs, 'gen_ai_client_token_usage_sum', { ...want, gen_ai_token_type: 'output' })).toBe(ok.reduce((s, r) => s + Number(r.output_tokens), 0));
    expect(sumOf(fs, 'gen_ai_client_token_usage_count', { ...want, gen_ai_token_type: 'input' })).toBe(4);
    const spent = rows.reduce((s, r) => s + Number(r.cost_micros), 0);
    expect(spent).toBeGreaterThan(0);
    expect(sumOf(fs, 'tollgate_spend_micro_usd_total', { team: 'ml', model: 'chat' })).toBe(spent);
  });

  test('durations: every served request, time to first token for the stream, failures carry error_type', () => {
    expect(sumOf(fs, 'gen_ai_server_request_duration_seconds_count', { error_type: '' })).toBe(4);
    expect(sumOf(fs, 'gen_ai_server_time_to_first_token_seconds_count')).toBe(1);
    const failed = fs.filter((m) => m.name === 'gen_ai_server_request_duration_seconds_count' && (m.labels.error_type ?? '') !== '');
    expect(failed.map((m) => [m.labels.gen_ai_request_model, m.value])).toEqual([['broken', 1]]);
    expect(sumOf(fs, 'tollgate_upstream_attempts_total', { provider: 'mock', model: 'mock/ok', result: '200' })).toBe(4);
    expect(sumOf(fs, 'tollgate_upstream_attempts_total', { model: 'mock/error-500' })).toBeGreaterThanOrEqual(1);
  });

  test('gateway overhead: a header on each answer and a histogram observation for each served request', () => {
    for (const o of overheads) {
      expect(Number.isFinite(o)).toBe(true);
      expect(o).toBeGreaterThanOrEqual(0);
    }
    expect(sumOf(fs, 'tollgate_gateway_overhead_seconds_count', { endpoint: 'chat.completions' })).toBe(4);
  });

  test("the team budget's use ratio is what the ledger says was spent over its limit", async () => {
    const db = createClient({ url: `file:${join(dir, 'db.sqlite')}` });
    const spent = Number((await db.execute("SELECT COALESCE(SUM(cost_micros), 0) AS s FROM usage WHERE team = 'ml'")).rows[0]!.s);
    db.close();
    expect(spent).toBeGreaterThan(0);
    // Settled spend reaches the spend table on the budget gate's next flush.
    let ratio: number | undefined;
    for (let i = 0; i < 100; i++) {
      ratio = (await scrape()).find((m) => m.name === 'tollgate_budget_use_ratio' && m.labels.scope === 'team')?.value;
      if (ratio !== undefined && Math.abs(ratio - spent / 2e6) < 1e-12) break;
      await Bun.sleep(20);
    }
    expect(ratio).toBeCloseTo(spent / 2e6, 12);
    const labels = (await scrape()).find((m) => m.name === 'tollgate_budget_use_ratio' && m.labels.scope === 'team')?.labels;
    expect(labels).toEqual({ scope: 'team', name: 'ml', period: 'month' });
  });

  test('deployments and the ledger are gauges', () => {
    const sample = (name: string, want: Record<string, string> = {}) => fs.find((m) => m.name === name && Object.entries(want).every(([k, v]) => m.labels[k] === v))?.value;
    expect(sample('tollgate_breaker_state', { provider: 'mock', model: 'mock/ok' })).toBe(0);
    expect(sample('tollgate_deployment_inflight', { provider: 'mock', model: 'mock/ok' })).toBe(0);
    expect(sample('tollgate_deployment_error_rate', { provider: 'mock', model: 'mock/error-500' })).toBe(1);
    expect(sample('tollgate_ledger_backlog_rows')).toBeGreaterThanOrEqual(0);
    expect(sample('tollgate_ledger_accepting')).toBe(1);
  });
});

describe('who may read /metrics', () => {
  test('no token: 401 in the OpenAI error schema; a client key is not enough; the metrics token is', async () => {
    const none = await fetch(`${gw.url}/metrics`);
    expect(none.status).toBe(401);
    const body = (await none.json()) as { error: { code: string } };
    expect(body.error.code).toBe('invalid_metrics_token');
    expect((await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(401);
    await scrape(TOKEN);
  });

  test('no metrics token and no master key configured: 403 naming the setting', async () => {
    const other = await startTestGateway({ providers: { mock: { type: 'mock' } }, models: { chat: { provider: 'mock', model: 'mock/ok' } } }, { env: {} });
    try {
      const saved = process.env.TOLLGATE_MASTER_KEY;
      delete process.env.TOLLGATE_MASTER_KEY;
      const r = await fetch(`${other.url}/metrics`);
      if (saved !== undefined) process.env.TOLLGATE_MASTER_KEY = saved;
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { message: string } }).error.message).toContain('metrics.token');
    } finally {
      await other.stop();
    }
  });

  test('metrics.enabled: false answers 404', async () => {
    const off = await startTestGateway({ metrics: { enabled: false, token: TOKEN }, providers: { mock: { type: 'mock' } }, models: { chat: { provider: 'mock', model: 'mock/ok' } } });
    try {
      expect((await fetch(`${off.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});
