import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIEmbeddingsRequest } from '../../wire/openai.ts';
import { emptyUsage, type EmbeddingsTranslator, type Usage } from '../types.ts';
import { extractMessage, upstreamError } from '../upstream-error.ts';
import { asObject } from '../openai/openai-openai.ts';

type Family = 'titan' | 'titan-v2' | 'cohere' | 'cohere-v4';

const KNOWN = new Set(['model', 'input', 'encoding_format', 'dimensions']);
/** Cohere's documented batch limit on Bedrock. */
const COHERE_MAX_TEXTS = 96;

/**
 * OpenAI embeddings → Bedrock InvokeModel. The body format depends on the model family, picked
 * from the model id (which may carry a region prefix such as `us.` or be an ARN):
 *   amazon.titan-embed-*  `{inputText}`: one text per call, so only a single input is accepted;
 *                         v2 also gets `normalize: true` (OpenAI vectors are unit length) and
 *                         `dimensions`.
 *   cohere.embed-*        `{texts, input_type: "search_document"}`: batches of up to 96. OpenAI
 *                         has no query/document distinction; documents is the indexing case.
 *                         v4 maps `dimensions` to `output_dimension`.
 * Cohere's InvokeModel body carries no token count; Bedrock reports it in the
 * x-amzn-bedrock-input-token-count response header, which is read instead.
 */
export function bedrockEmbeddings(provider: string): EmbeddingsTranslator {
  let usage: Usage = emptyUsage();
  let publicModel = '';
  let family: Family = 'titan';
  let base64 = false;

  return {
    request(body: OpenAIEmbeddingsRequest, ctx) {
      publicModel = ctx.publicModel;
      for (const key of Object.keys(body)) {
        if (!KNOWN.has(key) && body[key] !== undefined) {
          throw new GatewayError('invalid_request', `Parameter ${key} is not supported by ${provider}`, { param: key });
        }
      }
      family = familyOf(ctx.model, provider);
      base64 = body.encoding_format === 'base64';
      const texts = textInputs(body.input, provider);
      if (family === 'titan' || family === 'titan-v2') {
        if (texts.length !== 1) {
          throw new GatewayError('invalid_request', `${ctx.model} embeds one input per request; send a single string`, { param: 'input' });
        }
        const wire: Record<string, unknown> = { inputText: texts[0] };
        if (family === 'titan-v2') {
          wire.normalize = true;
          if (body.dimensions !== undefined) wire.dimensions = body.dimensions;
        } else if (body.dimensions !== undefined) {
          throw unsupported(provider, 'dimensions', ctx.model);
        }
        return { op: 'embeddings', stream: false, body: wire };
      }
      if (texts.length > COHERE_MAX_TEXTS) {
        throw new GatewayError('invalid_request', `${ctx.model} accepts at most ${COHERE_MAX_TEXTS} inputs per request`, { param: 'input' });
      }
      const wire: Record<string, unknown> = { texts, input_type: 'search_document' };
      if (body.dimensions !== undefined) {
        if (family !== 'cohere-v4') throw unsupported(provider, 'dimensions', ctx.model);
        wire.output_dimension = body.dimensions;
      }
      return { op: 'embeddings', stream: false, body: wire };
    },
    response(json, headers) {
      const r = asObject(json, provider);
      let vectors: unknown[];
      if (family === 'titan' || family === 'titan-v2') {
        vectors = [r.embedding];
        usage = { ...emptyUsage(), input_tokens: num(r.inputTextTokenCount) };
      } else {
        // Without embedding_types Cohere answers `embeddings: [[…]]`; with them, `{float: [[…]]}`.
        const e = r.embeddings;
        const list = Array.isArray(e) ? e : e && typeof e === 'object' ? (e as { float?: unknown }).float : undefined;
        if (!Array.isArray(list)) throw new GatewayError('upstream_invalid', `${provider} returned embeddings in an unexpected shape`);
        vectors = list;
        usage = { ...emptyUsage(), input_tokens: num(Number(headers?.get('x-amzn-bedrock-input-token-count') ?? 0)) };
      }
      const data = vectors.map((v, index) => {
        if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) {
          throw new GatewayError('upstream_invalid', `${provider} returned an embedding that is not a list of numbers`);
        }
        return { object: 'embedding', index, embedding: base64 ? toBase64(v as number[]) : v };
      });
      return {
        object: 'list',
        data,
        model: publicModel,
        usage: { prompt_tokens: usage.input_tokens, total_tokens: usage.input_tokens },
      };
    },
    usage: () => usage,
    error(status, body) {
      const { message, code } = extractMessage(body);
      return upstreamError(provider, status, message, code);
    },
  };
}

function familyOf(model: string, provider: string): Family {
  if (/(^|[./])amazon\.titan-embed-text-v2/.test(model)) return 'titan-v2';
  if (/(^|[./])amazon\.titan-embed-/.test(model)) return 'titan';
  if (/(^|[./])cohere\.embed-v4/.test(model)) return 'cohere-v4';
  if (/(^|[./])cohere\.embed-/.test(model)) return 'cohere';
  throw new GatewayError('invalid_request', `${provider} embeddings support Amazon Titan and Cohere embed models, not '${model}'`, { param: 'model' });
}

function textInputs(input: OpenAIEmbeddingsRequest['input'], provider: string): string[] {
  const list = typeof input === 'string' ? [input] : input;
  if (!list.every((x): x is string => typeof x === 'string')) {
    throw new GatewayError('invalid_request', `${provider} embeds text only; token-id inputs are not supported`, { param: 'input' });
  }
  return list;
}

function unsupported(provider: string, param: string, model: string): GatewayError {
  return new GatewayError('invalid_request', `Parameter ${param} is not supported by ${provider} for ${model}`, { param });
}

/** OpenAI's base64 encoding: the float32 little-endian bytes of the vector. */
function toBase64(v: number[]): string {
  const bytes = new Uint8Array(v.length * 4);
  const view = new DataView(bytes.buffer);
  v.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return Buffer.from(bytes).toString('base64');
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
