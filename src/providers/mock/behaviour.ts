/**
 * The built-in mock provider's behaviour is picked by the upstream model name, so routing and
 * error tests are deterministic and a new user can try the gateway with no API key:
 *   mock/ok            a short answer that echoes the last user message
 *   mock/tool          calls the first tool offered (arguments `{}` unless it can fill them)
 *   mock/json          answers `{"ok":true}` (for response_format tests)
 *   mock/error-NNN     fails with HTTP NNN in OpenAI's error schema
 *   mock/slow-MS       waits MS milliseconds before answering
 *   mock/embedding     deterministic 8-dimensional embeddings
 *   mock/embedding-words  a bag of words with synonyms (words-embedding.ts): paraphrases embed alike, a test device
 *   mock/long-N        writes N tokens, stopping at the request's max_tokens as a provider does
 * Every chat behaviour answers `n` choices, each billed, as OpenAI does.
 */
export interface MockBehaviour {
  kind: 'ok' | 'tool' | 'json' | 'error' | 'embedding' | 'embedding-words';
  status?: number;
  delayMs: number;
  /** Output tokens to write (mock/long-N). */
  writes?: number;
}

export function behaviourOf(model: string): MockBehaviour {
  const m = /^mock\/(ok|tool|json|embedding-words|embedding|error-(\d{3})|slow-(\d+)|long-(\d+))$/.exec(model);
  if (!m) return { kind: 'ok', delayMs: 0 };
  if (m[4]) return { kind: 'ok', delayMs: 0, writes: Math.min(Number(m[4]), 1_000_000) };
  if (m[2]) return { kind: 'error', status: Number(m[2]), delayMs: 0 };
  if (m[3]) return { kind: 'ok', delayMs: Math.min(Number(m[3]), 120_000) };
  return { kind: m[1] as MockBehaviour['kind'], delayMs: 0 };
}
