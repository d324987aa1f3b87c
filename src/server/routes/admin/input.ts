import type { Context } from 'hono';
import { z } from 'zod';
import { GatewayError } from '../../../lib/errors.ts';
import type { Store } from '../../../store/client.ts';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';
import { formatPath, readBody } from '../../read-body.ts';

const jsonObject = z.record(z.string(), z.unknown());

/**
 * Validates admin input; a bad value is a 400 whose `param` names the field, an unknown
 * field included (`{"budgt": …}` → param `budgt`).
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what: 'body' | 'query'): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = formatPath(issue.path) || (issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined);
  throw new GatewayError('invalid_request', `Invalid '${param ?? what}': ${issue.message}`, { param });
}

/** The JSON body (size limit and JSON errors as in readBody), validated by `schema`. */
export async function readAdminBody<S extends z.ZodType>(c: Context<Env>, schema: S, { optional = false } = {}): Promise<z.infer<S>> {
  const empty = c.req.raw.body == null || c.req.header('content-length') === '0';
  const body = optional && empty ? {} : await readBody(c, jsonObject);
  return validate(schema, body, 'body');
}

export function readQuery<S extends z.ZodType>(c: Context<Env>, schema: S): z.infer<S> {
  return validate(schema, c.req.query(), 'query');
}

/** The database behind the admin API; 503 when the app was built without one. */
export function storeOf(deps: AppDeps): Store {
  if (!deps.store) throw new GatewayError('unavailable', 'The admin API needs a database, and this gateway has none.');
  return deps.store;
}
