import { afterAll, beforeAll, expect, test } from 'bun:test';
import { openStore, type Store } from '../store/client.ts';
import { migrate } from '../store/migrate.ts';
import { MIGRATIONS } from '../store/migrations/index.ts';
import { storedResponses } from '../store/schema.ts';
import { silentLogger } from '../lib/logger.ts';
import { responseKeeper, PURGE_EVERY_MS, type ResponseKeeper, type ResponsesConfig } from './response-keeper.ts';
import { responsesTranslator } from '../providers/registry.ts';
import { parseConfig } from '../config/load.ts';
import type { ProviderAdapter } from '../providers/types.ts';
import type { ResponsesRequest } from '../wire/responses.ts';
import type { ResponseOwner } from '../store/responses.ts';
import { createFakeClock } from '../../test/support/fake-clock.ts';

let store: Store;
let now = 1_000_000;
const DAY = 86_400_000;
beforeAll(async () => {
  store = await openStore({ url: ':memory:' });
  await migrate(store.client);
});
afterAll(() => store.close());

const owner = { key: 'hash-a', team: 'red' };
const defaults = parseConfig('providers: { m: { type: mock } }\n', 'c.yaml', {}).config.responses;
const cfgWith = (o: Partial<ResponsesConfig> = {}): ResponsesConfig => ({ ...defaults, retention: DAY, ...o });
const adapter = { name: 'local', wire: 'openai', config: { type: 'openai-compatible' } } as unknown as ProviderAdapter;
const completion = (content = 'hi there') => ({ id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2 } });

/** Runs one non-streaming exchange through a keeping translator, waits for its save, and returns the response's id. */
async function exchange(keeper: ResponseKeeper, req: ResponsesRequest, cfg = cfgWith(), who: ResponseOwner = owner, answer = 'hi there'): Promise<string> {
  const t = keeper.keeping(responsesTranslator(adapter), req, await keeper.history(req, who, cfg), who, cfg);
  t.request(req, { model: 'm', publicModel: 'm', clientHeaders: new Headers() });
  const id = (t.response(completion(answer)) as { id: string }).id;
  await keeper.response(id, who).catch(() => undefined); // awaits the save in flight
  return id;
}
const rowsOf = async () => store.db.select({ id: storedResponses.id, bytes: storedResponses.bytes, depth: storedResponses.depth, team: storedResponses.team, ownerKey: storedResponses.ownerKey }).from(storedResponses);
const clear = () => store.db.delete(storedResponses);

test('each turn stores only its own items: a 40-turn conversation grows linearly, and the chain reads back in order', async () => {
  await clear();
  const keeper = responseKeeper(store, silentLogger, () => now);
  let prev: string | undefined;
  const ids: string[] = [];
  for (let i = 0; i < 40; i++) {
    prev = await exchange(keeper, { model: 'm', input: `turn ${i} ${'x'.repeat(200)}`, ...(prev ? { previous_response_id: prev } : {}) });
    ids.push(prev);
  }
  const rows = await rowsOf();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const first = byId.get(ids[0]!)!.bytes;
  const last = byId.get(ids.at(-1)!)!.bytes;
  // A full-context row would be ~40 times the first; its own turn is the same size (± the previous_response_id echo).
  expect(last).toBeLessThan(first * 1.2);
  expect(byId.get(ids.at(-1)!)!.depth).toBe(40);
  const total = rows.reduce((a, r) => a + r.bytes, 0);
  expect(total).toBeLessThan(first * 40 * 1.2);
  const history = await keeper.history({ model: 'm', previous_response_id: prev }, owner, cfgWith());
  const texts = history.items.filter((i) => (i as { role?: string }).role === 'user').map((i) => JSON.stringify(i));
  expect(texts).toHaveLength(40);
  texts.forEach((t, i) => expect(t).toContain(`turn ${i} `));
  expect(history.items).toHaveLength(80);
});

test('a chain over max_conversation_turns or max_conversation_bytes is a 400 naming previous_response_id, before it is read', async () => {
  await clear();
  const keeper = responseKeeper(store, silentLogger, () => now);
  let prev: string | undefined;
  for (let i = 0; i < 4; i++) prev = await exchange(keeper, { model: 'm', input: `t${i}`, ...(prev ? { previous_response_id: prev } : {}) });
  const req = { model: 'm', previous_response_id: prev };
  await expect(keeper.history(req, owner, cfgWith({ max_conversation_turns: 3 }))).rejects.toMatchObject({ status: 400, param: 'previous_response_id', code: 'conversation_too_long', message: expect.stringContaining('4 turns') });
  await expect(keeper.history(req, owner, cfgWith({ max_conversation_bytes: 1024 }))).rejects.toMatchObject({ status: 400, param: 'previous_response_id', message: expect.stringContaining('max_conversation_bytes') });
  expect((await keeper.history(req, owner, cfgWith({ max_conversation_turns: 4 }))).items).toHaveLength(8);
});

test('a row over max_row_bytes is not kept; a kept one is found', async () => {
  await clear();
  const keeper = responseKeeper(store, silentLogger, () => now);
  const big = await exchange(keeper, { model: 'm', input: 'small' }, cfgWith({ max_row_bytes: 4096 }), owner, 'y'.repeat(5000));
  await expect(keeper.response(big, owner)).rejects.toMatchObject({ status: 404 });
  const fits = await exchange(keeper, { model: 'm', input: 'small' }, cfgWith({ max_row_bytes: 4096 }), owner, 'short');
  expect((await keeper.response(fits, owner)).id).toBe(fits);
});

test('per-key and per-team caps remove the oldest rows first, down to a tenth below the cap; other keys and teams are untouched', async () => {
  await clear();
  const keeper = responseKeeper(store, silentLogger, () => now);
  const cfg = cfgWith({ max_rows_per_key: 3, max_rows_per_team: 5 });
  const bob = { key: 'hash-b', team: 'blue' };
  const bobs = [await exchange(keeper, { model: 'm', input: 'bob' }, cfg, bob)];
  const mine: string[] = [];
  for (let i = 0; i < 5; i++) {
    now += 1;
    mine.push(await exchange(keeper, { model: 'm', input: `a${i}` }, cfg));
  }
  let rows = await rowsOf();
  expect(rows.filter((r) => r.ownerKey === owner.key).map((r) => r.id).sort()).toEqual(mine.slice(2).sort());
  expect(rows.map((r) => r.id)).toContain(bobs[0]!);
  // A teammate's rows count against the team: 3 of carol's + alice's 3 = 6 > 5, so the team is
  // brought down to 4 (a tenth below the cap, at least one), alice's oldest two first.
  const carol = { key: 'hash-c', team: 'red' };
  for (let i = 0; i < 3; i++) {
    now += 1;
    await exchange(keeper, { model: 'm', input: `c${i}` }, cfg, carol);
  }
  rows = await rowsOf();
  expect(rows.filter((r) => r.team === 'red')).toHaveLength(4);
  expect(rows.filter((r) => r.ownerKey === owner.key).map((r) => r.id)).toEqual([mine[4]!]);
  // The byte cap works the same way.
  const bytesCfg = cfgWith({ max_bytes_per_key: rows.find((r) => r.id === bobs[0])!.bytes * 2 + 10 });
  for (let i = 0; i < 3; i++) {
    now += 1;
    bobs.push(await exchange(keeper, { model: 'm', input: 'bob' }, bytesCfg, bob));
  }
  expect((await rowsOf()).filter((r) => r.ownerKey === bob.key).map((r) => r.id).sort()).toEqual(bobs.slice(2).sort());
});

test('expired rows are purged on a timer with no request (injected clock), and on a later save; forever keeps them', async () => {
  await clear();
  const clock = createFakeClock({ wall: now });
  const keeper = responseKeeper(store, silentLogger, () => clock.wall());
  const short = await exchange(keeper, { model: 'm', input: 'short-lived' }, cfgWith({ retention: 60_000 }));
  const forever = await exchange(keeper, { model: 'm', input: 'kept' }, cfgWith({ retention: null }));
  keeper.start(clock);
  await clock.advance(PURGE_EVERY_MS + 1);
  await Bun.sleep(20);
  const left = (await rowsOf()).map((r) => r.id);
  expect(left).not.toContain(short);
  expect(left).toEqual([forever]);
  // The timer keeps running until close.
  const again = await exchange(keeper, { model: 'm', input: 'again' }, cfgWith({ retention: 60_000 }));
  await clock.advance(2 * PURGE_EVERY_MS);
  await Bun.sleep(20);
  expect((await rowsOf()).map((r) => r.id)).not.toContain(again);
  keeper.close();
  expect(clock.pending()).toBe(0);
  // On save: a keeper with no timer purges on its next save.
  const lazy = responseKeeper(store, silentLogger, () => now);
  const gone = await exchange(lazy, { model: 'm', input: 'soon gone' }, cfgWith({ retention: 60_000 }));
  now += 10 * DAY;
  await exchange(lazy, { model: 'm', input: 'trigger purge' });
  await Bun.sleep(50);
  expect((await rowsOf()).map((r) => r.id)).not.toContain(gone);
});

test('a stored response lives for the retention period; continuing a conversation keeps its earlier turns alive', async () => {
  await clear();
  const keeper = responseKeeper(store, silentLogger, () => now);
  const first = await exchange(keeper, { model: 'm', input: 'first' });
  expect((await keeper.response(first, owner)).id).toBe(first);
  now += DAY / 2;
  const second = await exchange(keeper, { model: 'm', input: 'second', previous_response_id: first });
  now += DAY / 2 + 1;
  // The first turn alone would have expired; the second turn carried it along.
  expect((await keeper.history({ model: 'm', previous_response_id: second }, owner, cfgWith())).items).toHaveLength(4);
  now += DAY;
  await expect(keeper.response(second, owner)).rejects.toMatchObject({ status: 404 });
  await expect(keeper.history({ model: 'm', previous_response_id: second }, owner, cfgWith())).rejects.toMatchObject({ status: 404, param: 'previous_response_id' });
});

test('a deleted earlier turn breaks the chain with a clear 404; another tenant gets 404 for every read', async () => {
  await clear();
  const keeper = responseKeeper(store, silentLogger, () => now);
  const first = await exchange(keeper, { model: 'm', input: 'secret one' });
  const second = await exchange(keeper, { model: 'm', input: 'secret two', previous_response_id: first });
  for (const other of [{ key: 'hash-b', team: 'red' }, { key: owner.key, team: 'blue' }]) {
    await expect(keeper.response(second, other)).rejects.toMatchObject({ status: 404 });
    await expect(keeper.inputItems(second, other)).rejects.toMatchObject({ status: 404 });
    await expect(keeper.history({ model: 'm', previous_response_id: second }, other, cfgWith())).rejects.toMatchObject({ status: 404 });
    await expect(keeper.remove(second, other)).rejects.toMatchObject({ status: 404 });
  }
  // Another key that points its own turn at alice's response reads none of alice's content.
  const mallory = { key: 'hash-m', team: 'red' };
  await expect(exchange(keeper, { model: 'm', input: 'x', previous_response_id: second }, cfgWith(), mallory)).rejects.toMatchObject({ status: 404 });
  await keeper.remove(first, owner);
  const e = await keeper.history({ model: 'm', previous_response_id: second }, owner, cfgWith()).catch((x: unknown) => x);
  expect(e).toMatchObject({ status: 404, param: 'previous_response_id', message: expect.stringContaining(first) });
});

test('rows written by migration 0005 (full context) stay readable after 0006 and can be continued', async () => {
  const old = await openStore({ url: ':memory:' });
  try {
    await old.client.execute('CREATE TABLE tollgate_migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.slice(0, 6)) {
      const statements = m.sql.split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean);
      await old.client.batch([...statements, { sql: 'INSERT INTO tollgate_migrations VALUES (?, 0)', args: [m.tag] }], 'write');
    }
    const context = [{ id: 'msg_1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'legacy one' }] }, { id: 'msg_2', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'legacy answer one' }] }, { id: 'msg_3', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'legacy two' }] }];
    const response = { id: 'resp_legacy', object: 'response', status: 'completed', output: [{ id: 'msg_4', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'legacy answer two' }] }] };
    await old.client.execute({ sql: 'INSERT INTO responses (id, owner_key, team, created_at, expires_at, input_items, context, response) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)', args: ['resp_legacy', owner.key, owner.team, now, JSON.stringify(context.slice(2)), JSON.stringify(context), JSON.stringify(response)] });
    // 0006 runs first; later migrations follow it.
    expect((await migrate(old.client))[0]).toBe('0006_responses_chain');
    const keeper = responseKeeper(old, silentLogger, () => now);
    expect((await keeper.response('resp_legacy', owner)).output).toEqual(response.output);
    expect(await keeper.inputItems('resp_legacy', owner)).toEqual(context.slice(2));
    const next = await exchange(keeper, { model: 'm', input: 'new three', previous_response_id: 'resp_legacy' });
    const items = (await keeper.history({ model: 'm', previous_response_id: next }, owner, cfgWith())).items.map((i) => JSON.stringify(i));
    expect(items).toHaveLength(6);
    ['legacy one', 'legacy answer one', 'legacy two', 'legacy answer two', 'new three', 'hi there'].forEach((t, i) => expect(items[i]).toContain(t));
    await expect(keeper.history({ model: 'm', previous_response_id: 'resp_legacy' }, { key: 'other', team: owner.team }, cfgWith())).rejects.toMatchObject({ status: 404 });
  } finally {
    old.close();
  }
});

test('store: false writes no row', async () => {
  const keeper = responseKeeper(store, silentLogger, () => now);
  const id = await exchange(keeper, { model: 'm', input: 'nothing', store: false });
  await expect(keeper.response(id, owner)).rejects.toMatchObject({ status: 404 });
});

test('responses config is validated: a bad period or bound names the field; forever and units parse', () => {
  const cfg = (r: string) => `providers: { m: { type: mock } }\nresponses: { ${r} }\n`;
  expect(() => parseConfig(cfg('retention: soon'), 'c.yaml', {})).toThrow(/responses\.retention/);
  expect(() => parseConfig(cfg('max_conversation_turns: 0'), 'c.yaml', {})).toThrow(/responses\.max_conversation_turns/);
  expect(() => parseConfig(cfg('max_row_bytes: 10'), 'c.yaml', {})).toThrow(/responses\.max_row_bytes/);
  expect(parseConfig(cfg('retention: 12h'), 'c.yaml', {}).config.responses.retention).toBe(12 * 3_600_000);
  expect(parseConfig(cfg('retention: forever'), 'c.yaml', {}).config.responses.retention).toBeNull();
  expect(defaults.retention).toBe(30 * DAY);
});
