import { GatewayError } from '../lib/errors.ts';
import type { OpenAIEmbeddingsRequest } from '../wire/openai.ts';

/**
 * Token-id embedding input (`[[int, …], …]`) for providers that embed text only. OpenAI clients
 * pre-tokenise with tiktoken's cl100k_base (langchain-openai does so for every model name it
 * does not know), so the ids are read back as cl100k_base and sent as the text they spell. An id
 * outside that vocabulary cannot have come from it and is refused naming the input.
 */
type Decode = (ids: number[]) => string;
let decode: Decode | undefined;

/** Vocabulary size of cl100k_base, special tokens included. */
const CL100K_SIZE = 100277;

/** What the caller's provider does with text, and the field the ids came in (for the error). */
export interface TokenInputUse {
  does: string;
  field: string;
}
const EMBEDDINGS: TokenInputUse = { does: 'embeds text', field: 'input' };

/** How many inputs a request carries, counted without decoding any: bounds are checked before the work. */
export function inputCount(input: OpenAIEmbeddingsRequest['input']): number {
  return typeof input === 'string' || typeof input[0] === 'number' ? 1 : input.length;
}

export function textInputs(input: OpenAIEmbeddingsRequest['input'], provider: string, use: TokenInputUse = EMBEDDINGS): string[] {
  if (typeof input === 'string') return [input];
  if (input.every((x): x is string => typeof x === 'string')) return input;
  const lists = (typeof input[0] === 'number' ? [input] : input) as number[][];
  return lists.map((ids, i) => {
    const bad = ids.find((id) => id < 0 || id >= CL100K_SIZE);
    if (bad !== undefined) {
      throw new GatewayError('invalid_request', `${provider} ${use.does}; token-id input is read as cl100k_base ids, and ${bad} is not one`, { param: lists === input ? `${use.field}[${i}]` : use.field });
    }
    // Loaded on first use (a 1.2 MB table), never at import; synchronous because translators are.
    // A plain require with a literal name: the bundler embeds the module (createRequire's is left
    // to run time, where a compiled binary has no node_modules to find it in).
    decode ??= (require('gpt-tokenizer/encoding/cl100k_base') as { decode: Decode }).decode;
    try {
      return decode(ids);
    } catch {
      // Ids inside the range that cl100k_base leaves unassigned (100256, 100261-100275).
      throw new GatewayError('invalid_request', `${provider} ${use.does}; token-id input is read as cl100k_base ids, and these include ids it does not assign`, { param: lists === input ? `${use.field}[${i}]` : use.field });
    }
  });
}
