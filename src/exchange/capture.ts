import { redact, type PiiType } from '../policy/pii.ts';

/** A request and its answer as the ledger keeps them when the decision says `log_prompts: true`. */
export interface PromptCapture {
  /** The request as it left for the provider (after the policy's redaction), JSON. */
  request: string;
  /** The answer the client got (a stream: reassembled), JSON; null when none came. */
  response: string | null;
  /** Either side was cut at capture.max_bytes (the text is then a prefix, not valid JSON). */
  truncated: boolean;
  /** PII types masked in what is kept. */
  redacted: PiiType[];
  /** How long it is kept from when its row is written (capture.retention; null: until deleted). */
  retentionMs: number | null;
}

const MAX_DEPTH = 64;

/** Every string in `v` with the PII types masked, embedding vectors shortened to their length. */
function scrub(v: unknown, types: readonly PiiType[], depth = 0): unknown {
  if (typeof v === 'string') return types.length ? redact(v, types) : v;
  if (!v || typeof v !== 'object') return v;
  // Deeper than any real request: not kept, so nothing under it escapes the masking.
  if (depth > MAX_DEPTH) return '[nested too deep to keep]';
  if (Array.isArray(v)) {
    // An embedding is hundreds of floats: what was embedded matters, not the vector.
    if (v.length > 16 && v.every((x) => typeof x === 'number')) return `[${v.length} numbers]`;
    return v.map((x) => scrub(x, types, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[types.length ? redact(k, types) : k] = scrub(x, types, depth + 1);
  return out;
}

function bounded(v: unknown, maxBytes: number): { text: string; cut: boolean } {
  const text = JSON.stringify(v) ?? 'null';
  if (Buffer.byteLength(text) <= maxBytes) return { text, cut: false };
  // Cut on a character boundary at most maxBytes long.
  let end = Math.min(text.length, maxBytes);
  while (end > 0 && Buffer.byteLength(text.slice(0, end)) > maxBytes) end = Math.floor(end * 0.9);
  return { text: text.slice(0, end), cut: true };
}

/** Builds what is kept: both sides scrubbed of the decision's PII types and bounded in size. */
export function capturePrompt(request: unknown, response: { value: unknown; truncated?: boolean } | undefined, o: { types: readonly PiiType[]; maxBytes: number; retentionMs: number | null }): PromptCapture {
  const req = bounded(scrub(request, o.types), o.maxBytes);
  const res = response?.value === undefined ? undefined : bounded(scrub(response.value, o.types), o.maxBytes);
  return { request: req.text, response: res?.text ?? null, truncated: req.cut || !!res?.cut || !!response?.truncated, redacted: [...o.types], retentionMs: o.retentionMs };
}
