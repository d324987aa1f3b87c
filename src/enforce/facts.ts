import { requestFacts, type RequestBody, type RequestFacts } from '../policy/request-facts.ts';

/** What the parsed request says about itself, worked out once per request (one scan, one PII pass). */
export interface ExchangeFacts {
  facts: RequestFacts;
  /** Tokens chat APIs bill for message framing: about 4 a message and 3 for the reply's priming. */
  framing: number;
  /**
   * The input-token estimate: ~4 characters a token, plus token ids and framing. The policy sees
   * it without framing (`estimated_input_tokens`), tpm holds it; the budget hold takes a true
   * bound instead (inputBound, over the bytes of the prompt that is sent).
   */
  inputTokens: number;
}

export function exchangeFacts(request: RequestBody, kind: 'chat' | 'embeddings'): ExchangeFacts {
  const facts = requestFacts(request);
  // Legacy completions send the prompt as it is: no message framing.
  const framing = kind === 'chat' && request.endpoint !== 'completions' ? 4 * facts.messageCount + 3 : 0;
  return { facts, framing, inputTokens: Math.ceil(facts.chars / 4) + facts.tokenIds + framing };
}
