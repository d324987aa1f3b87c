import { afterAll, beforeAll, expect, test } from 'bun:test';
import { resolve } from 'node:path';
import { ensurePythonSdk } from '../../scripts/ensure-python-sdk.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../../src/server/start.ts';

let gw: Gateway;
beforeAll(async () => {
  gw = await startTestGateway({
    providers: { mock: { type: 'mock' } },
    models: { chat: { provider: 'mock', model: 'mock/ok' }, emb: { provider: 'mock', model: 'mock/embedding', kind: 'embeddings' } },
  });
});
afterAll(() => gw.stop());

test('the official Python openai SDK works unchanged: chat, streaming with usage, embeddings, legacy completions, typed errors', async () => {
  const pythonPath = ensurePythonSdk();
  const p = Bun.spawn(['python3', resolve(import.meta.dir, 'sdk_check.py'), gw.url + '/v1', 'chat'], { env: { ...process.env, PYTHONPATH: pythonPath }, stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  expect(err.slice(-500)).toBe('');
  expect(code).toBe(0);
  const r = JSON.parse(out) as Record<string, unknown>;
  expect(r.text).toBe('Mock reply to: from python');
  expect(r.usage).toBeGreaterThan(0);
  expect(r.stream_text).toBe('Mock reply to: stream please');
  expect(r.stream_usage).toBeGreaterThan(0);
  expect(r.embeddings).toBe(2);
  expect(r.not_found).toBe(404);
  expect(r.bad_request).toBe('temperature');
  // Legacy completions, through chat on the mock provider.
  expect([r.completion_object, r.completion_texts]).toEqual(['text_completion', ['Mock reply to: legacy from python', 'Mock reply to: legacy from python']]);
  expect(r.completion_stream_text).toBe('Mock reply to: legacy stream');
  expect(r.completion_stream_usage).toBeGreaterThan(0);
  expect(r.completion_refused).toBe('echo');
}, 60_000);
