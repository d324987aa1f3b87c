import { GatewayError } from '../../lib/errors.ts';
import { emptyUsage, type EmbeddingsTranslator, type Usage } from '../types.ts';
import { geminiModelId } from './adapter.ts';
import { geminiHttpError } from './errors.ts';
import { textInputs } from '../token-input.ts';

/** `user` identifies the end user for OpenAI's abuse monitoring; Gemini has no counterpart and it changes no vector. */
const KNOWN = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);

/**
 * OpenAI embeddings → Gemini `batchEmbedContents`, one request per input. Token-id inputs are
 * read back into text (token-input.ts). `dimensions` → `outputDimensionality`; `encoding_format: base64`
 * is produced here the way OpenAI does it (little-endian float32). `batchEmbedContents` reports
 * no token usage, so usage is an estimate of one token per four characters of input.
 */
export function geminiEmbeddings(provider: string): EmbeddingsTranslator {
  let usage: Usage = emptyUsage();
  let publicModel = '';
  let count = 0;
  let base64 = false;
  let estimated = 0;
  return {
    request(body, ctx) {
      for (const [k, v] of Object.entries(body)) {
        if (!KNOWN.has(k) && v !== null && v !== undefined) throw new GatewayError('invalid_request', `Parameter ${k} is not supported by ${provider}`, { param: k });
      }
      publicModel = ctx.publicModel;
      const inputs = textInputs(body.input, provider);
      count = inputs.length;
      base64 = body.encoding_format === 'base64';
      estimated = inputs.reduce((n, s) => n + Math.ceil(s.length / 4), 0);
      const model = `models/${geminiModelId(ctx.model)}`;
      const dims = body.dimensions === undefined ? {} : { outputDimensionality: body.dimensions };
      return { op: 'embeddings', stream: false, body: { requests: inputs.map((text) => ({ model, content: { parts: [{ text }] }, ...dims })) } };
    },
    response(json) {
      const list = (json as { embeddings?: unknown } | null)?.embeddings;
      if (!Array.isArray(list) || list.length !== count) throw new GatewayError('upstream_invalid', `${provider} returned ${Array.isArray(list) ? list.length : 'no'} embeddings for ${count} inputs`);
      const data = list.map((e, index) => {
        const values = (e as { values?: unknown } | null)?.values;
        if (!Array.isArray(values) || !values.every((x) => typeof x === 'number')) throw new GatewayError('upstream_invalid', `${provider} returned an embedding without values`);
        return { object: 'embedding', index, embedding: base64 ? float32Base64(values as number[]) : values };
      });
      usage = { ...emptyUsage(), input_tokens: estimated };
      return { object: 'list', data, model: publicModel, usage: { prompt_tokens: estimated, total_tokens: estimated } };
    },
    usage: () => usage,
    error: (status, body) => geminiHttpError(provider, status, body),
  };
}

/** OpenAI's base64 encoding: the vector as little-endian float32, base64-encoded. */
export function float32Base64(values: number[]): string {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return Buffer.from(view.buffer).toString('base64');
}
