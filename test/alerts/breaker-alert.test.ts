import { afterAll, expect, test } from 'bun:test';
import { startTestGateway } from '../helpers/gateway.ts';
import { startReceiver } from './receiver.ts';

// A provider's breaker opening, from the router of a real gateway, reaches the webhook once per repeat window.
const receiver = startReceiver();
afterAll(() => receiver.stop());

test('a deployment whose breaker opens alerts once, not again while it stays broken', async () => {
  const gw = await startTestGateway({
    providers: { mock: { type: 'mock' } },
    models: { broken: { provider: 'mock', model: 'mock/error-500' } },
    routing: { retries: { max_retries: 0 }, breaker: { failures: 2, ejection_ms: 50 } },
    alerts: { webhooks: [{ url: `${receiver.url}/breaker`, format: 'json' }] },
  });
  const call = async () => {
    const r = await fetch(gw.url + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'broken', messages: [{ role: 'user', content: 'hi' }] }) });
    await r.arrayBuffer();
    return r.status;
  };
  expect(await call()).toBe(502);
  await call();
  await receiver.until((g) => g.length >= 1);
  // Probes after the ejection fail and eject it again: still the same alert window.
  for (let i = 0; i < 4; i++) {
    await Bun.sleep(120);
    await call();
  }
  await Bun.sleep(200);
  await gw.stop();
  const got = receiver.on('/breaker');
  expect(got.length).toBe(1);
  expect(got[0]!.body).toMatchObject({ type: 'tollgate.alert', kind: 'breaker_open', subject: 'mock/mock/error-500', provider: 'mock', model: 'mock/error-500', ejections: 1 });
});
