/// <reference lib="dom" />
/** The admin API from the dashboard: the session cookie goes along by itself; writes add the CSRF header. */
let csrf = '';

export const setCsrf = (token: string) => void (csrf = token);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-tollgate-csrf'] = csrf;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw new ApiError(r.status, json?.error?.message ?? `HTTP ${r.status}`);
  return json as T;
}

/** Integer micro-dollars → `$1.234567` trimmed to cents when whole. */
export function usd(micros: number): string {
  const v = micros / 1_000_000;
  return `$${v.toFixed(Math.abs(v) >= 100 ? 2 : Math.abs(v) >= 1 ? 4 : 6)}`;
}

export const qs = (o: Record<string, string | number | undefined>) =>
  Object.entries(o)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
