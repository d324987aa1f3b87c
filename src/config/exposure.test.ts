import { describe, expect, test } from 'bun:test';
import { anonymousExposure, isLoopback } from './exposure.ts';
import { parseConfig } from './load.ts';

const server = (yaml: string) => parseConfig(`server: { ${yaml} }\nproviders: {}\nmodels: {}\n`, 'g.yaml').config.server;

describe('anonymous mode exposure', () => {
  test('loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'gateway.example.com']) expect(isLoopback(h)).toBe(false);
  });

  test('anonymous on a non-loopback address is refused, naming the fields to change', () => {
    const why = anonymousExposure(server('allow_anonymous: true'), '0.0.0.0');
    expect(why).toContain('0.0.0.0');
    expect(why).toContain('server.allow_anonymous_remote: true');
    expect(anonymousExposure(server('allow_anonymous: true, host: 0.0.0.0'))).toBeDefined();
  });

  test('allowed on loopback, without anonymous mode, or when the config says so explicitly', () => {
    expect(anonymousExposure(server('allow_anonymous: true'))).toBeUndefined();
    expect(anonymousExposure(server('allow_anonymous: false'), '0.0.0.0')).toBeUndefined();
    expect(anonymousExposure(server('allow_anonymous: true, allow_anonymous_remote: true'), '0.0.0.0')).toBeUndefined();
  });
});
