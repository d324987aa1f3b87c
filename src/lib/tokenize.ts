/**
 * Token counts for estimates (streams cut before the provider reported usage), with OpenAI's
 * o200k_base encoding from gpt-tokenizer. The encoder is loaded on first use, not at import.
 */
type Counter = (text: string) => number;
let counter: Counter | undefined;
let loading: Promise<Counter> | undefined;

export async function countTokens(text: string): Promise<number> {
  if (!text) return 0;
  counter ??= await (loading ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => m.countTokens as Counter));
  return counter(text);
}
