import { parseConfig } from '../../src/config/load.ts';
import { buildRuntime, runtimeHolder } from '../../src/config/runtime.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { openStore, type Store } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createApp } from '../../src/server/app.ts';

export const MASTER = 'tg-master-test-0123456789abcdef';

/** An in-process app with an in-memory database and a logger whose lines the test can read. */
export async function adminTestApp({ withStore = true } = {}) {
  const yaml = 'server: { max_body_bytes: 4096 }\nproviders: { mock: { type: mock } }\nmodels: { chat: { provider: mock, model: mock/ok } }\n';
  const store: Store | undefined = withStore ? await openStore({ url: ':memory:' }) : undefined;
  if (store) await migrate(store.client);
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const app = createApp({ runtime: runtimeHolder(buildRuntime(parseConfig(yaml, 'test.yaml', {}).config)), logger, store });
  const call = (method: string, path: string, body?: unknown, token: string | null = MASTER) =>
    app.request(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { app, store, logs, call };
}

/** Sets TOLLGATE_MASTER_KEY for the duration of a test file; returns the restore function. */
export function withMasterKey(value: string | undefined): () => void {
  const before = process.env.TOLLGATE_MASTER_KEY;
  if (value === undefined) delete process.env.TOLLGATE_MASTER_KEY;
  else process.env.TOLLGATE_MASTER_KEY = value;
  return () => {
    if (before === undefined) delete process.env.TOLLGATE_MASTER_KEY;
    else process.env.TOLLGATE_MASTER_KEY = before;
  };
}

export interface ErrorJson {
  error: { message: string; type: string; param: string | null; code: string | null };
}
