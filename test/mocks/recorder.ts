/** What a mock upstream saw, so tests can check what Tollgate sent. */
export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export async function record(req: Request, into: RecordedRequest[]): Promise<RecordedRequest> {
  const url = new URL(req.url);
  const text = await req.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep text */
  }
  const r = { path: url.pathname + url.search, headers: Object.fromEntries(req.headers), body };
  into.push(r);
  return r;
}
