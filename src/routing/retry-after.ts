/**
 * How long an upstream asks us to wait, in ms, from `retry-after-ms` (OpenAI, Azure) or
 * `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when absent
 * or unreadable; a date in the past is 0.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const precise = headers.get('retry-after-ms');
  if (precise !== null && /^\s*\d+(\.\d+)?\s*$/.test(precise)) return Math.ceil(Number(precise));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // HTTP-dates always name a weekday or month; a bare number was handled above.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
