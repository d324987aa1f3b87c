import { toolCallId } from '../../lib/ids.ts';

/**
 * Gemini 3 signs its function calls (`thoughtSignature`) and rejects the next turn with a 400
 * when the signature is not sent back with the call. OpenAI clients have no field for it, but
 * they echo tool-call ids verbatim, so the signature rides inside the id we hand out:
 * `call_<24 hex>__ts__<base64url signature>`. base64url keeps the id to [A-Za-z0-9_-].
 */
const MARK = '__ts__';
const SIGNED = /^(call_[0-9a-f]{24})__ts__([A-Za-z0-9_-]+)$/;

/** A fresh tool-call id, carrying the part's thought signature when it has one. */
export function issueToolCallId(signature?: string): string {
  const id = toolCallId();
  if (!signature) return id;
  return id + MARK + signature.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Splits an id we issued back into the plain id and the signature (standard base64). */
export function readToolCallId(id: string): { id: string; signature?: string } {
  const m = SIGNED.exec(id);
  if (!m) return { id };
  const b64 = m[2]!.replace(/-/g, '+').replace(/_/g, '/');
  return { id: m[1]!, signature: b64 + '='.repeat((4 - (b64.length % 4)) % 4) };
}
