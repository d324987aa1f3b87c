import type { Context } from 'hono';
import type { z } from 'zod';
import { GatewayError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Env } from './context.ts';

/**
 * Reads and validates a JSON body: 413 over the limit, 408 when it does not arrive within
 * `server.body_timeout_ms`, 503 when too many bodies are in flight, 400 naming the field otherwise.
 * With a `logger`, a body the schema refuses is logged like other refusals (the `request` line,
 * outcome `invalid_request`), since it never reaches the exchange that logs the others.
 */
export async function readBody<S extends z.ZodType>(c: Context<Env>, schema: S, logger?: Logger): Promise<z.infer<S>> {
  const text = await readText(c);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GatewayError('invalid_request', 'The request body is not valid JSON.');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = formatPath(issue.path);
    const err = new GatewayError('invalid_request', `Invalid '${param || 'body'}': ${issue.message}`, { param: param || undefined });
    logger?.info('request', {
      request_id: c.get('requestId'),
      path: c.req.path,
      key: c.get('principal')?.name,
      team: c.get('principal')?.team,
      model: typeof (json as { model?: unknown }).model === 'string' ? (json as { model: string }).model.slice(0, 200) : undefined,
      status: err.status,
      outcome: err.kind,
      latency_ms: Math.round(performance.now() - c.get('startedAt')),
      param: err.param,
      error: err.message,
    });
    throw err;
  }
  return parsed.data;
}

/**
 * The body as text: one read into one buffer (sized by content-length when given), one decode.
 * Its bytes are held on the upload gate until the request's handler ends.
 */
async function readText(c: Context<Env>): Promise<string> {
  const server = c.get('runtime').config.server;
  const limit = server.max_body_bytes;
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limit) throw tooLarge(limit);
  const body = c.req.raw.body;
  if (!body) return '';
  const scope = c.get('body');
  const ticket = await scope?.gate.acquire(declared > 0 ? declared : limit, { maxUploads: server.max_concurrent_uploads, maxBytes: server.max_body_bytes_in_flight, queueMs: server.body_timeout_ms });
  if (ticket) scope!.tickets.push(ticket);
  try {
    const bytes = await readBytes(body, declared > 0 ? declared : 0, limit, server.body_timeout_ms);
    scope?.onRead?.();
    return new TextDecoder().decode(bytes);
  } finally {
    ticket?.read();
  }
}

async function readBytes(body: ReadableStream<Uint8Array>, declared: number, limit: number, timeoutMs: number): Promise<Uint8Array> {
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GatewayError('invalid_request', `The request body did not arrive within ${timeoutMs} ms.`, { status: 408, code: 'body_timeout', headers: { connection: 'close' } })), timeoutMs);
  });
  late.catch(() => {});
  let buf = new Uint8Array(declared || 64 * 1024);
  let n = 0;
  try {
    for (;;) {
      const r = await Promise.race([reader.read(), late]);
      if (r.done) break;
      if (n + r.value.byteLength > limit) throw tooLarge(limit);
      if (n + r.value.byteLength > buf.byteLength) {
        const grown = new Uint8Array(Math.min(limit, Math.max(buf.byteLength * 2, n + r.value.byteLength)));
        grown.set(buf.subarray(0, n));
        buf = grown;
      }
      buf.set(r.value, n);
      n += r.value.byteLength;
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return buf.subarray(0, n);
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('payload_too_large', `The request body exceeds the limit of ${limit} bytes.`, { headers: { connection: 'close' } });
}

/** `['messages', 0, 'content']` → `messages[0].content` (OpenAI's param style). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}
