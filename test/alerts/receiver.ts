/** A local webhook receiver for alert tests: records every POST by path; some paths misbehave on purpose. */
export interface Received {
  path: string;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface Receiver {
  url: string;
  got: Received[];
  on(path: string): Received[];
  /** Waits (real time, bounded) until `pred` holds for what arrived. */
  until(pred: (got: Received[]) => boolean, ms?: number): Promise<void>;
  stop(): void;
}

/** `/fail-N/...` answers 503 to its first N posts; `/redirect` answers 302 to `/json`; everything else 200. */
export function startReceiver(): Receiver {
  const got: Received[] = [];
  const failures = new Map<string, number>();
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const body = (await req.json()) as Record<string, unknown>;
      got.push({ path, headers: req.headers, body });
      const fail = /^\/fail-(\d+)/.exec(path);
      if (fail) {
        const n = (failures.get(path) ?? 0) + 1;
        failures.set(path, n);
        if (n <= Number(fail[1])) return new Response('busy', { status: 503 });
      }
      if (path === '/redirect') return new Response(null, { status: 302, headers: { location: '/json' } });
      return new Response('ok');
    },
  });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    got,
    on: (path) => got.filter((g) => g.path === path),
    async until(pred, ms = 15_000) {
      for (let waited = 0; !pred(got); waited += 25) {
        if (waited > ms) throw new Error(`webhook receiver: condition not met in ${ms} ms; got ${JSON.stringify(got.map((g) => [g.path, g.body.kind, g.body.threshold_pct]))}`);
        await Bun.sleep(25);
      }
    },
    stop: () => void server.stop(true),
  };
}
