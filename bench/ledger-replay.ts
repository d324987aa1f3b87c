/**
 * Usage-journal replay time: N rows journalled while the database refused them, then replayed
 * at the next start, into a file database and into sqld. `bun bench/ledger-replay.ts [N]` (default 20,000).
 */
import { mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../src/store/client.ts';
import { migrate } from '../src/store/migrate.ts';
import { usageJournal } from '../src/store/usage-journal.ts';
import { usageWriter } from '../src/store/usage-writer.ts';
import { silentLogger } from '../src/lib/logger.ts';
import { startSqld } from '../test/helpers/sqld.ts';

const n = Number(process.argv[2] ?? 20_000);
const refused: Store['client'] = new Proxy({} as Store['client'], { get: () => () => Promise.reject(new Error('down')) });

async function run(label: string, url: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-replay-'));
  const store = await openStore({ url: url || `file:${join(dir, 'db.sqlite')}` });
  await migrate(store.client);
  const jdir = join(dir, 'journal');
  const down = usageWriter({ ...store, client: refused }, silentLogger, { intervalMs: 60_000, journal: usageJournal(jdir, 1 << 30) });
  for (let i = 0; i < n; i++) {
    down.write({ request_id: `req_${i}`, endpoint: 'chat.completions', key_name: 'k', key_id: 'key_1', requested_model: 'm', status: 200, outcome: 'ok', stream: false, usage: { input_tokens: 5, output_tokens: 1, cached_input_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 }, attempts: [], cost_micros: 10, price_version: 'pl', usage_source: 'provider', latency_ms: 1 });
  }
  const t0 = performance.now();
  await down.close();
  const journalMs = performance.now() - t0;
  const bytes = down.health().journal_bytes;
  // As the next process would find it: the journal of one that is gone.
  renameSync(join(jdir, readdirSync(jdir)[0]!), join(jdir, 'ledger-999999999-1-gone.jsonl'));
  const next = usageWriter(store, silentLogger, { intervalMs: 60_000, journal: usageJournal(jdir, 1 << 30) });
  const t1 = performance.now();
  const { rows } = await next.recover();
  const ms = performance.now() - t1;
  await next.close();
  store.close();
  console.log(`${label}: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB journalled in ${journalMs.toFixed(0)} ms, replayed in ${ms.toFixed(0)} ms (${Math.round(rows / (ms / 1000))} rows/s)`);
}

await run('file database', '');
const sqld = await startSqld();
try {
  await run('sqld', sqld.url);
} finally {
  await sqld.stop();
}
