import { describe, expect, test } from 'bun:test';
import { GatewayError } from '../../lib/errors.ts';
import { cassette, chatTranslator, chunkLines, decode, fixtureJson, fixtureNames, fixtureText, replay, type GError, type GResponse } from '../../../test/support/gemini-fixtures.ts';

describe('HTTP errors recorded from Google', () => {
  const errorBodies = fixtureNames().filter((n) => n.endsWith('.json') && typeof (fixtureJson(n) as GResponse).error?.code === 'number');
  const expectedKind = (e: GError): string => {
    if (e.code === 400) return e.details?.some((d) => d.reason === 'API_KEY_INVALID') || e.status === 'FAILED_PRECONDITION' ? 'upstream_error' : 'invalid_request';
    return ({ 403: 'upstream_error', 404: 'not_found', 429: 'rate_limited' } as Record<number, string>)[e.code]!;
  };

  test('there are recorded error bodies', () => expect(errorBodies.length).toBeGreaterThan(12));

  for (const name of errorBodies) {
    test(name, () => {
      const text = fixtureText(name);
      const e = (fixtureJson(name) as GResponse).error!;
      const err = chatTranslator().error(e.code, text);
      expect(err).toBeInstanceOf(GatewayError);
      expect(err.kind as string).toBe(expectedKind(e));
      expect(err.code).toBe(e.status);
      if (err.kind !== 'upstream_error') expect(err.message).toContain(e.message.slice(0, 40));
      // DebugInfo details name the key; only `message` is ever relayed.
      expect(err.message).not.toMatch(/key1234|AIzv00G7/);
    });
  }

  test('429 quota errors are rate_limited, with Retry-After from RetryInfo', () => {
    const quota = chatTranslator().error(429, fixtureText('firebase-testdata_vertexai_unary-failure-quota-exceeded.json'));
    expect([quota.kind, quota.status, quota.headers]).toEqual(['rate_limited', 429, undefined]);
    const retry = chatTranslator().error(429, fixtureText('vercel-ai_google_google-429-retry-info.json'));
    expect([retry.kind, retry.headers]).toEqual(['rate_limited', { 'retry-after': '35' }]);
    expect(retry.message).toContain('You exceeded your current quota');
  });

  test("a bad API key or an unsupported location is the gateway's problem, not the caller's", () => {
    const key = chatTranslator().error(400, fixtureText('firebase-testdata_googleai_unary-failure-api-key.json'));
    expect([key.kind, key.status]).toEqual(['upstream_error', 502]);
    expect(key.message).toContain("rejected the gateway's credentials");
    const location = chatTranslator().error(400, fixtureText('firebase-testdata_vertexai_unary-failure-unsupported-user-location.json'));
    expect([location.kind, location.status, location.code]).toEqual(['upstream_error', 502, 'FAILED_PRECONDITION']);
    expect(location.message).toContain('User location is not supported');
  });

  test("Google's HTML error page is not relayed", () => {
    const err = chatTranslator().error(404, fixtureText('firebase-testdata_vertexai_unary-failure-invalid-location-url-not-found.html'));
    expect(err.kind).toBe('not_found');
    expect(err.message).toBe('gemini returned 404');
  });

  test('5xx and timeouts', () => {
    expect(chatTranslator().error(503, JSON.stringify({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }))).toMatchObject({ kind: 'upstream_error', code: 'UNAVAILABLE' });
    expect(chatTranslator().error(504, JSON.stringify({ error: { code: 504, message: 'Deadline exceeded', status: 'DEADLINE_EXCEEDED' } })).kind).toBe('upstream_timeout');
  });

  test('count-token and embedding errors from pydantic-ai cassettes', () => {
    for (const name of ['pydantic-ai_test_embeddings_TestGoogle.test_embed_error.yaml', 'pydantic-ai_test_embeddings_TestGoogle.test_count_tokens_error.yaml']) {
      const res = cassette(name)[0]!.response;
      const err = chatTranslator().error(res.status.code, JSON.stringify(res.parsed_body));
      expect([err.kind, err.code]).toEqual(['not_found', 'NOT_FOUND']);
    }
  });
});

describe('every recording, any path', () => {
  test('never crashes: each file yields an answer or a GatewayError, as JSON, as a stream and as an error body', async () => {
    let seen = 0;
    for (const name of fixtureNames()) {
      const text = fixtureText(name);
      const guard = async (f: () => unknown) => {
        try {
          await f();
        } catch (e) {
          if (!(e instanceof GatewayError)) throw new Error(`${name}: ${String(e)}`);
        }
      };
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined; // Not JSON: the router reports that before a translator sees it.
      }
      if (json !== undefined) await guard(() => chatTranslator({ logprobs: true }).response(json));
      await guard(async () => {
        const r = await replay(chatTranslator({ stream: true, logprobs: true }), await decode(text));
        expect(r.done || r.error instanceof GatewayError).toBe(true);
      });
      if (name.endsWith('.chunks.txt')) await guard(() => replay(chatTranslator({ stream: true }), chunkLines(name).map((data) => ({ data }))));
      expect(chatTranslator().error(500, text)).toBeInstanceOf(GatewayError);
      seen++;
    }
    expect(seen).toBe(fixtureNames().length);
  });
});
