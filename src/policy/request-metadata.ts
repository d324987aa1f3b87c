import { GatewayError } from '../lib/errors.ts';

/** The caller's attribution header: a JSON object of string values, kept on the usage row. */
export const METADATA_HEADER = 'x-tollgate-metadata';

/** Bounds on the header, so a caller cannot grow the ledger or the policy input without limit. */
export const METADATA_LIMITS = { bytes: 4096, keys: 16, keyChars: 64, valueChars: 256 } as const;
const KEY = /^[A-Za-z0-9_.:-]+$/;

/**
 * The `x-tollgate-metadata` header, validated: a JSON object of at most 16 names
 * ([A-Za-z0-9_.:-], up to 64 characters) mapped to strings of up to 256 characters, 4 KiB in
 * all. Anything else is a 400 naming the header; no header is `undefined`.
 */
export function parseRequestMetadata(value: string | null | undefined): Record<string, string> | undefined {
  if (value === null || value === undefined) return undefined;
  const fail = (why: string): never => {
    throw new GatewayError('invalid_request', `The ${METADATA_HEADER} header ${why}.`, { param: METADATA_HEADER, code: 'invalid_metadata' });
  };
  if (Buffer.byteLength(value) > METADATA_LIMITS.bytes) fail(`is longer than ${METADATA_LIMITS.bytes} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return fail('is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('must be a JSON object');
  const entries = Object.entries(parsed);
  if (entries.length > METADATA_LIMITS.keys) fail(`has ${entries.length} names; at most ${METADATA_LIMITS.keys} are allowed`);
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (!KEY.test(k) || k.length > METADATA_LIMITS.keyChars) fail(`has the name '${k.slice(0, METADATA_LIMITS.keyChars)}'; names are 1-${METADATA_LIMITS.keyChars} characters of A-Z a-z 0-9 _ . : -`);
    if (typeof v !== 'string') return fail(`must map names to strings ('${k}' is not a string)`);
    if (v.length > METADATA_LIMITS.valueChars) fail(`value of '${k}' is longer than ${METADATA_LIMITS.valueChars} characters`);
    out[k] = v;
  }
  return out;
}
