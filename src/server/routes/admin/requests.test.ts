import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { adminTestApp, MASTER, withMasterKey, type ErrorJson } from '../../../../test/support/admin-app.ts';
import { decisions, promptCaptures, spend, usage } from '../../../store/schema.ts';
import { linearForecast } from '../../../store/budget-report.ts';
import { periodStart } from '../../../store/periods.ts';

let restore = () => {};
beforeAll(() => (restore = withMasterKey(MASTER)));
afterAll(() => restore());

const row = (id: string, over: Partial<typeof usage.$inferInsert> = {}): typeof usage.$inferInsert => ({ requestId: id, createdAt: Date.now(), endpoint: 'chat.completions', requestedModel: 'chat', status: 200, outcome: 'ok', team: 'ml', ...over });

describe('GET /admin/requests', () => {
  test('searches by request id, decision id, outcome, model and team, newest first, and pages with before', async () => {
    const { call, store } = await adminTestApp();
    const t = Date.now();
    await store!.db.insert(usage).values([
      row('req_a', { createdAt: t - 3000, decisionId: 'dec-1', costMicros: 1500, keyHash: 'h'.repeat(64) }),
      row('req_b', { createdAt: t - 2000, outcome: 'forbidden', status: 403, errorClass: "forbidden: model 'x' is not allowed", requestedModel: 'x' }),
      row('req_c', { createdAt: t - 1000, team: 'ops' }),
    ]);
    const ids = async (q: string) => ((await (await call('GET', `/admin/requests${q}`)).json()) as { data: { request_id: string }[] }).data.map((r) => r.request_id);
    expect(await ids('')).toEqual(['req_c', 'req_b', 'req_a']);
    expect(await ids('?request_id=req_a')).toEqual(['req_a']);
    expect(await ids('?decision_id=dec-1')).toEqual(['req_a']);
    expect(await ids('?outcome=forbidden&team=ml')).toEqual(['req_b']);
    expect(await ids('?model=chat&team=ml')).toEqual(['req_a']);
    const page = (await (await call('GET', '/admin/requests?limit=2')).json()) as { data: unknown[]; next_before: number };
    expect(page.data.length).toBe(2);
    expect(await ids(`?before=${page.next_before}`)).toEqual(['req_a']);
    const text = await (await call('GET', '/admin/requests')).text();
    expect(text).not.toContain('h'.repeat(64));
  });

  test('bad queries are 400s naming the field; the list is bounded at 200', async () => {
    const { call } = await adminTestApp();
    for (const [q, param] of [['limit=201', 'limit'], ['limit=0', 'limit'], ['before=soon', 'before'], ['tem=ml', 'tem'], [`model=${'m'.repeat(201)}`, 'model']] as const) {
      const r = await call('GET', `/admin/requests?${q}`);
      expect(r.status).toBe(400);
      expect(((await r.json()) as ErrorJson).error.param).toBe(param);
    }
    expect((await call('GET', '/admin/requests', undefined, null)).status).toBe(401);
  });

  test('one request shows its row, its reason and its prompt capture when there is one', async () => {
    const { call, store } = await adminTestApp();
    await store!.db.insert(usage).values([row('req_d', { outcome: 'forbidden', status: 403, errorClass: 'forbidden: no', decisionId: 'dec-9', attempts: 0 }), row('req_e', { attempts: 2, latencyMs: 120, inputTokens: 10, outputTokens: 5, costMicros: 42 })]);
    await store!.db.insert(promptCaptures).values({ requestId: 'req_e', createdAt: Date.now(), request: '{"messages":[]}', response: '{"ok":true}', redacted: 'email' });
    await store!.db.insert(decisions).values({ decisionId: 'dec-9', requestId: 'req_d', createdAt: Date.now(), policyRevision: 'rev1', allowed: false, httpStatus: 403, input: '{"secret":"input"}', inputBytes: 18, result: '{"allowed":false}', reasons: ['models: no'] });
    const text = await (await call('GET', '/admin/requests/req_d')).text();
    expect(text).not.toContain('secret'); // the decision's input document stays in the decision log
    const d = JSON.parse(text) as Record<string, unknown>;
    expect(d).toMatchObject({ request_id: 'req_d', outcome: 'forbidden', reason: 'forbidden: no', decision_id: 'dec-9', capture: null });
    expect(d.decision).toEqual({ decision_id: 'dec-9', allowed: false, http_status: 403, policy_revision: 'rev1', reasons: ['models: no'], failure: null, eval_us: 0, result: { allowed: false } });
    const e = (await (await call('GET', '/admin/requests/req_e')).json()) as Record<string, unknown>;
    expect(e).toMatchObject({ decision: null });
    expect(e).toMatchObject({ attempts: 2, latency_ms: 120, input_tokens: 10, output_tokens: 5, cost_usd: '0.000042', capture: { request: '{"messages":[]}', response: '{"ok":true}', redacted: ['email'], truncated: false } });
    const missing = await call('GET', '/admin/requests/req_nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorJson).error.code).toBe('request_not_found');
  });
});

describe('GET /admin/budgets and /admin/providers', () => {
  test('linear forecast: the spend rate so far carried to the end of the period', () => {
    expect(linearForecast(100, 0, 1000, 250)).toBe(400);
    expect(linearForecast(0, 0, 1000, 500)).toBe(0);
    expect(linearForecast(7, 0, 1000, 0)).toBe(7000); // at the very start: no division by zero
  });

  test("each team and key budget shows this period's spend from the spend book and its forecast", async () => {
    const { call, store } = await adminTestApp();
    await call('POST', '/admin/teams', { id: 'ml', budget: '100/month' });
    await call('POST', '/admin/teams', { id: 'free' });
    const { record } = (await (await call('POST', '/admin/keys', { name: 'k', team: 'ml', budget: '10/day' })).json()) as { record: { id: string } };
    const now = Date.now();
    await store!.db.insert(spend).values([
      { scope: 'team', scopeId: 'ml', period: 'month', periodStart: periodStart('month', now), spentMicros: 2_000_000 },
      { scope: 'team', scopeId: 'ml', period: 'month', periodStart: periodStart('month', now) - 40 * 86_400_000, spentMicros: 99_000_000 },
    ]);
    const { data } = (await (await call('GET', '/admin/budgets')).json()) as { data: Record<string, unknown>[] };
    expect(data.map((b) => `${b.scope}:${b.id}`).sort()).toEqual([`key:${record.id}`, 'team:ml']);
    const ml = data.find((b) => b.id === 'ml')!;
    expect(ml).toMatchObject({ period: 'month', limit_micros: 100_000_000, spent_micros: 2_000_000, spent_usd: '2.000000', use_ratio: 0.02 });
    expect(ml.forecast_micros as number).toBeGreaterThanOrEqual(2_000_000);
    expect(Date.parse(ml.period_end as string)).toBeGreaterThan(now);
  });

  test('providers: each configured provider with its health, before any traffic', async () => {
    const { call } = await adminTestApp();
    const body = (await (await call('GET', '/admin/providers')).json()) as { data: Record<string, unknown>[] };
    expect(body.data).toEqual([{ name: 'mock', type: 'mock', healthy: true, error_rate: 0, p50_ms: null, deployments: [], last_hour: { requests: 0, errors: 0, avg_latency_ms: null, max_latency_ms: null } }]);
  });

  test("providers: the last hour's requests, errors and latency come from the ledger", async () => {
    const { call, store } = await adminTestApp();
    const t = Date.now();
    await store!.db.insert(usage).values([
      row('r1', { provider: 'mock', latencyMs: 100 }),
      row('r2', { provider: 'mock', latencyMs: 300, outcome: 'upstream_error', status: 502 }),
      row('r3', { provider: 'mock', latencyMs: 50, outcome: 'interrupted' }),
      row('r4', { provider: 'mock', latencyMs: 9_000, createdAt: t - 2 * 3_600_000 }),
      row('r5', { latencyMs: 1 }),
    ]);
    const body = (await (await call('GET', '/admin/providers')).json()) as { data: { last_hour: unknown }[] };
    expect(body.data[0]!.last_hour).toEqual({ requests: 3, errors: 1, avg_latency_ms: 150, max_latency_ms: 300 });
  });
});
