import { afterAll, beforeAll, expect, test } from 'bun:test';
import { openStore, type Store } from '../store/client.ts';
import { migrate } from '../store/migrate.ts';
import { storedResponses } from '../store/schema.ts';
import { silentLogger } from '../lib/logger.ts';
import { responseKeeper } from './response-keeper.ts';
import { responsesTranslator } from '../providers/registry.ts';
import { parseConfig } from '../config/load.ts';
import type { ProviderAdapter } from '../providers/types.ts';
import type { ResponsesRequest } from '../wire/responses.ts';

let store: Store;
let now = 1_000_000;
const DAY = 86_400_000;
beforeAll(async () => {
  store = await openStore({ url: ':memory:' });
  await migrate(store.client);
});
afterAll(() => store.close());

const owner = { key: 'hash-a', team: 'red' };
const adapter = { name: 'local', wire: 'openai', config: { type: 'openai-compatible' } } as unknown as ProviderAdapter;
const completion = { id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hi there' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2 } };

/** Runs one non-streaming exchange through a keeping translator and returns the response's id. */
async function exchange(keeper: ReturnType<typeof responseKeeper>, req: ResponsesRequest, retention: number | null): Promise<string> {
  const t = keeper.keeping(responsesTranslator(adapter), req, await keeper.history(req, owner), owner, retention);
  t.request(req, { model: 'm', publicModel: 'm', clientHeaders: new Headers() });
  return (t.response(completion) as { id: string }).id;
}

test('a stored response lives for the retention period, then is gone for GET and previous_response_id', async () => {
  const keeper = responseKeeper(store, silentLogger, () => now);
  const id = await exchange(keeper, { model: 'm', input: 'first' }, DAY);
  expect((await keeper.find(id, owner)).response.id).toBe(id);
  expect(await keeper.history({ model: 'm', previous_response_id: id }, owner)).toHaveLength(2);
  now += DAY + 1;
  await expect(keeper.find(id, owner)).rejects.toMatchObject({ status: 404 });
  await expect(keeper.history({ model: 'm', previous_response_id: id }, owner)).rejects.toMatchObject({ status: 404, param: 'previous_response_id' });
});

test('expired rows are purged from the table on a later save; forever (null) keeps them', async () => {
  const keeper = responseKeeper(store, silentLogger, () => now);
  const short = await exchange(keeper, { model: 'm', input: 'short-lived' }, 60_000);
  const forever = await exchange(keeper, { model: 'm', input: 'kept' }, null);
  now += 10 * DAY;
  await exchange(keeper, { model: 'm', input: 'trigger purge' }, DAY);
  await Bun.sleep(50);
  const ids = (await store.db.select({ id: storedResponses.id }).from(storedResponses)).map((r) => r.id);
  expect(ids).not.toContain(short);
  expect(ids).toContain(forever);
});

test('store: false writes no row', async () => {
  const keeper = responseKeeper(store, silentLogger, () => now);
  const id = await exchange(keeper, { model: 'm', input: 'nothing', store: false }, DAY);
  await expect(keeper.find(id, owner)).rejects.toMatchObject({ status: 404 });
});

test('responses.retention is validated: a bad period names the field; forever and units parse', () => {
  const cfg = (r: string) => `providers: { m: { type: mock } }\nresponses: { retention: ${r} }\n`;
  expect(() => parseConfig(cfg('soon'), 'c.yaml', {})).toThrow(/responses\.retention/);
  expect(parseConfig(cfg('12h'), 'c.yaml', {}).config.responses.retention).toBe(12 * 3_600_000);
  expect(parseConfig(cfg('forever'), 'c.yaml', {}).config.responses.retention).toBeNull();
  expect(parseConfig('providers: { m: { type: mock } }\n', 'c.yaml', {}).config.responses.retention).toBe(30 * DAY);
});
