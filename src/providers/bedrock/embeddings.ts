import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIEmbeddingsRequest } from '../../wire/openai.ts';
import { emptyUsage, type EmbeddingsTranslator, type Usage } from '../types.ts';
import { extractMessage, upstreamError } from '../upstream-error.ts';
import { asObject } from '../openai/openai-openai.ts';
import { inputCount, textInputs } from '../token-input.ts';

type Family = 'titan' | 'titan-v2' | 'cohere' | 'cohere-v4';

const KNOWN = new Set(['model', 'input', 'encoding_format', 'dimensions']);
/** Cohere's documented batch limit on Bedrock. */
const COHERE_MAX_TEXTS = 96;
/** Titan inputs one request may fan out to. */
const TITAN_MAX_TEXTS = 256;

/**
 * OpenAI embeddings → Bedrock InvokeModel. The body format depends on the model family, picked
 * from the model id (which may carry a region prefix such as `us.` or be an ARN):
 *   amazon.titan-embed-*  `{inputText}`: one text per call, so several inputs fan out to one
 *                         call each (UpstreamCall.parts, sent in parallel; usage summed);
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
      // Counted before any token-id input is decoded: a refused request costs no decoding.
      const count = inputCount(body.input);
      if (family === 'titan' || family === 'titan-v2') {
        if (count > TITAN_MAX_TEXTS) {
          throw new GatewayError('invalid_request', `${ctx.model} embeds one input per call; at most ${TITAN_MAX_TEXTS} inputs per request are sent as separate calls`, { param: 'input' });
        }
        const extra: Record<string, unknown> = {};
        if (family === 'titan-v2') {
          extra.normalize = true;
          if (body.dimensions !== undefined) extra.dimensions = body.dimensions;
        } else if (body.dimensions !== undefined) {
          throw unsupported(provider, 'dimensions', ctx.model);
        }
        const bodies = textInputs(body.input, provider).map((inputText) => ({ inputText, ...extra }));
        return { op: 'embeddings', stream: false, body: bodies[0], ...(bodies.length > 1 ? { parts: bodies } : {}) };
      }
      if (count > COHERE_MAX_TEXTS) {
        throw new GatewayError('invalid_request', `${ctx.model} accepts at most ${COHERE_MAX_TEXTS} inputs per request`, { param: 'input' });
      }
      const wire: Record<string, unknown> = { texts: textInputs(body.input, provider), input_type: 'search_document' };
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
        // Several inputs came back from their own calls as {parts: [answer, …]}.
        const answers = Array.isArray(r.parts) ? r.parts.map((p) => asObject(p, provider)) : [r];
        vectors = answers.map((a) => a.embedding);
        usage = { ...emptyUsage(), input_tokens: answers.reduce((n, a) => n + num(a.inputTextTokenCount), 0) };
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
