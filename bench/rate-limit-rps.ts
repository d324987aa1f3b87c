// Requests per second through one gateway on a file database, a key with rpm and tpm limits
// (high enough never to refuse): `bun bench/rate-limit-rps.ts [seconds]`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway } from '../test/helpers/gateway.ts';
import { openStore } from '../src/store/client.ts';
import { migrate } from '../src/store/migrate.ts';
import { createKey } from '../src/store/keys.ts';

const seconds = Number(process.argv[2] ?? 5);
const url = `file:${join(mkdtempSync(join(tmpdir(), 'tg-rps-')), 'db')}`;
const store = await openStore({ url });
await migrate(store.client);
const { key } = await createKey(store, { name: 'bench', rpm: 10_000_000, tpm: 1_000_000_000 });
const gw = await startTestGateway({ server: { host: '127.0.0.1', port: 0, allow_anonymous: false }, database: { url }, providers: { mock: { type: 'mock' } }, models: { m: { provider: 'mock', model: 'mock/ok' } } });
const body = JSON.stringify({ model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
const run = async (ms: number) => {
  let n = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < end) {
        const r = await fetch(gw.url + '/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`status ${r.status}`);
        n++;
      }
    }),
  );
  return n;
};
await run(1000);
const n = await run(seconds * 1000);
console.log(`${(n / seconds).toFixed(0)} req/s over ${seconds} s (16 clients, one gateway, file database, rpm and tpm limits set)`);
await gw.stop();
store.close();
