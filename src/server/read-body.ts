import type { Context } from 'hono';
import type { z } from 'zod';
import { GatewayError } from '../lib/errors.ts';
import type { Env } from './context.ts';

/** Reads and validates a JSON body: 413 over the limit, 400 naming the field otherwise. */
export async function readBody<S extends z.ZodType>(c: Context<Env>, schema: S): Promise<z.infer<S>> {
  const limit = c.get('runtime').config.server.max_body_bytes;
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limit) throw tooLarge(limit);
  const buf = await c.req.arrayBuffer();
  if (buf.byteLength > limit) throw tooLarge(limit);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(buf));
  } catch {
    throw new GatewayError('invalid_request', 'The request body is not valid JSON.');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = formatPath(issue.path);
    throw new GatewayError('invalid_request', `Invalid '${param || 'body'}': ${issue.message}`, { param: param || undefined });
  }
  return parsed.data;
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('payload_too_large', `The request body exceeds the limit of ${limit} bytes.`);
}

/** `['messages', 0, 'content']` → `messages[0].content` (OpenAI's param style). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}
