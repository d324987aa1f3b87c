import { chatRequest } from './openai.ts';
import { messagesRequest } from './anthropic.ts';
import { completionsRequest } from './completions.ts';

/**
 * The client parameter names the config's `params: {drop, refuse}` may name. Top-level names
 * are the fields of the chat schemas (legacy completions included) plus the documented fields they pass through; the
 * nested names are the hints translators drop and report (UpstreamCall.dropped).
 */
const PASSED_THROUGH = [
  'store', 'service_tier', 'prompt_cache_key', 'safety_identifier', 'logit_bias', 'modalities', 'audio', 'prediction',
  'web_search_options', 'verbosity', 'top_k', 'container', 'mcp_servers',
] as const;

/** What a request cannot be sent without: these can be neither dropped nor refused. */
const REQUIRED = new Set(['model', 'messages', 'prompt', 'max_tokens', 'stream']);

/** Top-level parameters: `drop` takes them out of the request before it is translated. */
export const TOP_LEVEL_PARAMS: readonly string[] = [...new Set([...Object.keys(chatRequest.shape), ...Object.keys(messagesRequest.shape), ...Object.keys(completionsRequest.shape), ...PASSED_THROUGH])]
  .filter((k) => !REQUIRED.has(k))
  .sort();

/** Hints below the top level that translators drop by themselves; `refuse` can turn each into a 400. */
export const NESTED_HINTS = ['image_url.detail', 'tools.eager_input_streaming', 'output_config.task_budget'] as const;
