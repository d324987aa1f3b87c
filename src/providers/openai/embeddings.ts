import { GatewayError } from '../../lib/errors.ts';
import { emptyUsage, type EmbeddingsTranslator, type Usage } from '../types.ts';
import { extractMessage, upstreamError } from '../upstream-error.ts';
import { readOpenAIUsage } from './usage.ts';
import { asObject } from './openai-openai.ts';

/** OpenAI embeddings → OpenAI wire: model rewritten, usage read. */
export function openaiEmbeddings(provider: string): EmbeddingsTranslator {
  let usage: Usage = emptyUsage();
  let publicModel = '';
  return {
    request(body, ctx) {
      publicModel = ctx.publicModel;
      return { op: 'embeddings', stream: false, body: { ...body, model: ctx.model } };
    },
    response(json) {
      const r = asObject(json, provider);
      if (!Array.isArray(r.data)) throw new GatewayError('upstream_invalid', `${provider} returned an embeddings response without data`);
      usage = readOpenAIUsage(r.usage);
      return { ...r, model: publicModel };
    },
    usage: () => usage,
    error(status, body) {
      const { message, code } = extractMessage(body);
      return upstreamError(provider, status, message, code);
    },
  };
}
