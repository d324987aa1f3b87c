import { expect, test } from 'bun:test';
import { probeConnect } from './connect-probe.ts';

test('the probe connects to a listening host and reports a refused port as not connected', async () => {
  const listening = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const closed = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const closedPort = closed.port;
  closed.stop(true);
  // Behind a proxy the probe is skipped (true): this machine's proxy settings must not decide the test.
  const proxies = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY'].map((k) => [k, process.env[k]] as const);
  for (const [k] of proxies) delete process.env[k];
  try {
    expect(await probeConnect(`http://127.0.0.1:${listening.port}/v1`, 5_000)).toBe(true);
    expect(await probeConnect(`http://127.0.0.1:${closedPort}/v1`, 5_000)).toBe(false);
    expect(await probeConnect('not a url', 5_000)).toBe(false);
  } finally {
    for (const [k, v] of proxies) if (v !== undefined) process.env[k] = v;
    listening.stop(true);
  }
});
