/**
 * Stored responses: what a long conversation costs to keep and to read back, and what the
 * per-key caps cost a save, on a file database in a temp directory.
 *
 *   bun bench/responses-storage.ts [turns=200] [rows of one key=20000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/client.ts';
import { migrate } from '../src/store/migrate.ts';
import { saveResponse } from '../src/store/responses.ts';
import { responseKeeper } from '../src/server/response-keeper.ts';
import { responsesTranslator } from '../src/providers/registry.ts';
import { parseConfig } from '../src/config/load.ts';
import { silentLogger } from '../src/lib/logger.ts';
import type { ProviderAdapter } from '../src/providers/types.ts';

const TURNS = Number(process.argv[2] ?? 200);
const ROWS = Number(process.argv[3] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'tollgate-responses-'));
const store = await openStore({ url: `file:${dir}/db.sqlite` });
await migrate(store.client);
const cfg = parseConfig('providers: { m: { type: mock } }\n', 'c.yaml', {}).config.responses;
const owner = { key: 'k', team: 't' };

// A conversation of TURNS turns, each continuing the last (about 400 bytes in, 350 out).
const keeper = responseKeeper(store, silentLogger);
const adapter = { name: 'local', wire: 'openai', config: { type: 'openai-compatible' } } as unknown as ProviderAdapter;
const answer = { id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'answer '.repeat(50) }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1 } };
let prev: string | undefined;
let readMs = 0;
for (let i = 0; i < TURNS; i++) {
  const req = { model: 'm', input: `turn ${i} ` + 'x'.repeat(400), ...(prev ? { previous_response_id: prev } : {}) };
  const t0 = performance.now();
  const history = await keeper.history(req, owner, cfg);
  if (i === TURNS - 1) readMs = performance.now() - t0;
  const t = keeper.keeping(responsesTranslator(adapter), req, history, owner, cfg);
  t.request(req, { model: 'm', publicModel: 'm', clientHeaders: new Headers() });
  prev = (t.response(answer) as { id: string }).id;
  await keeper.response(prev, owner);
}
const sizes = (await store.client.execute('SELECT sum(bytes) AS stored, sum(chain_bytes) AS whole FROM responses')).rows[0]!;
console.log(`${TURNS} turns: ${sizes.stored} bytes stored; a row per turn holding its whole context would be ${sizes.whole}; reading the ${TURNS - 1}-turn chain back: ${readMs.toFixed(1)} ms`);

// One key with ROWS rows: a save, with the key's and the team's caps checked, under the caps.
const resp = JSON.stringify(answer);
const rows = Array.from({ length: ROWS }, (_, i) => ({ sql: `INSERT INTO responses (id, owner_key, team, created_at, expires_at, previous_id, depth, bytes, chain_bytes, input_items, context, response) VALUES (?, 'k2', 't', ?, NULL, NULL, 1, 500, 500, '[]', NULL, ?)`, args: [`r${i}`, i, resp] }));
await store.client.batch(rows, 'write');
const caps = { rowsPerKey: cfg.max_rows_per_key, bytesPerKey: cfg.max_bytes_per_key, rowsPerTeam: cfg.max_rows_per_team, bytesPerTeam: cfg.max_bytes_per_team };
const t0 = performance.now();
for (let i = 0; i < 20; i++) await saveResponse(store, { id: `new${i}`, owner: { key: 'k2', team: 't' }, createdAt: ROWS + i, expiresAt: null, previousId: null, depth: 1, bytes: 500, chainBytes: 500, inputItemsJson: '[]', responseJson: resp }, caps);
console.log(`a key with ${ROWS} rows: ${((performance.now() - t0) / 20).toFixed(1)} ms a save (insert and both cap checks)`);
store.close();
rmSync(dir, { recursive: true, force: true });
