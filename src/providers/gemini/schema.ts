import { GatewayError } from '../../lib/errors.ts';

/**
 * Client JSON Schemas go to Gemini's JSON Schema fields (`parametersJsonSchema`,
 * `responseJsonSchema`) rather than the older OpenAPI-subset `parameters`/`responseSchema`:
 * those accept `additionalProperties`, `anyOf`, `$ref`/`$defs`, type arrays and `const`, so the
 * schema keeps its meaning instead of being cut down. The one conversion is dropping the
 * `$schema` meta-keyword (an annotation that Google's proto parser rejects as an unknown field,
 * e.g. what zod-to-json-schema emits); it constrains nothing.
 */
export function toGeminiJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toGeminiJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$schema') continue;
    // Inside `properties` the keys are property names, so a property called `$schema` survives.
    out[k] = k === 'properties' && v && typeof v === 'object' && !Array.isArray(v) ? mapValues(v as Record<string, unknown>) : toGeminiJsonSchema(v);
  }
  return out;
}

function mapValues(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toGeminiJsonSchema(v)]));
}

/**
 * A function's parameters: Gemini wants an object schema, or nothing for a function without
 * parameters (an empty `{}` means the same).
 */
export function functionParameters(params: Record<string, unknown> | undefined, param: string): unknown {
  if (!params || Object.keys(params).length === 0) return undefined;
  if (params.type !== undefined && params.type !== 'object') {
    throw new GatewayError('invalid_request', 'Function parameters must be a JSON Schema of type object for Gemini', { param });
  }
  return toGeminiJsonSchema(params);
}
