import { createClient } from '@libsql/client';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { configSource } from '../../src/cli/config-source.ts';
import type { FakeClock } from '../support/fake-clock.ts';
import { realClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { startGateway, type Gateway } from '../../src/server/start.ts';
import type { FaultUpstream } from '../mocks/fault-upstream.ts';

/**
 * A test policy: `data.routes[model]` is merged into an allow, so each test model carries its
 * own targets, timeouts and fallbacks; `data.watch[model]` names a provider whose health is
 * put in the decision's tags (and so in the usage row).
 */
const POLICY = `package gateway

default decision := {"allowed": true}

decision := object.union(object.union({"allowed": true}, watched), data.routes[input.request.model]) if data.routes[input.request.model]

watched := {"tags": [sprintf("%s.healthy=%v", [p, input.providers[p].healthy])]} if {
	p := data.watch[input.request.model]
} else := {}
`;

export interface RoutingGateway {
  gw: Gateway;
  dir: string;
  /** The simulated time the gateway (and the test's upstreams) run on. */
  clock: FakeClock;
  /** Usage rows of one public model, oldest first, once the ledger has flushed. */
  rows(model: string): Promise<UsageRow[]>;
}

export interface UsageRow {
  provider: string | null;
  served_model: string | null;
  attempts: number;
  status: number;
  outcome: string;
  output_tokens: number;
  usage_source: string;
  tags: string | null;
  error_class: string | null;
}

/**
 * A gateway with a file ledger and the test policy, from a config object, on a fake clock in auto
 * mode. Its budget-lease heartbeats (every 5 s) run on real time, as they would in production:
 * on the fake clock each would be one more jump (and a database write) while a request is in
 * flight, and a scenario of 1,000 simulated seconds would spend 200 jumps on them.
 */
export async function startRoutingGateway(config: Record<string, unknown>, clock: FakeClock): Promise<RoutingGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-routing-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies/route.rego'), POLICY);
  const db = join(dir, 'ledger.db');
  const file = join(dir, 'gateway.config.yaml');
  writeFileSync(file, stringify({ server: { host: '127.0.0.1', port: 0, allow_anonymous: true }, database: { url: `file:${db}` }, ledger: { flush_ms: 20 }, ...config }));
  const gw = await startGateway({ source: configSource(file), logger: silentLogger, signals: false, quiet: true, clock, leaseClock: realClock });
  const read = async (model: string) => {
    const c = createClient({ url: `file:${db}` });
    const r = await c.execute({ sql: 'SELECT provider, served_model, attempts, status, outcome, output_tokens, usage_source, tags, error_class FROM usage WHERE requested_model = ? ORDER BY created_at, rowid', args: [model] });
    c.close();
    return r.rows.map((row) => ({ ...row }) as unknown as UsageRow);
  };
  return {
    gw,
    dir,
    clock,
    async rows(model) {
      // The ledger flushes on real time (every 20 ms): wait until its rows stop coming, up to 3 s.
      let seen = -1;
      for (let i = 0; i < 60; i++) {
        await Bun.sleep(50);
        const rows = await read(model);
        if (rows.length && rows.length === seen) return rows;
        seen = rows.length;
      }
      return read(model);
    },
  };
}

export interface ChatResult {
  status: number;
  headers: Headers;
  /** The JSON body, or for streams the parsed `data:` payloads ('[DONE]' kept as a string). */
  json?: Record<string, unknown>;
  events: (Record<string, unknown> | '[DONE]')[];
  text: string;
  /** How long it took on the gateway's (simulated) clock. */
  ms: number;
}

/**
 * One chat completion through the gateway (stream or not), timed on the simulated clock, with
 * the body read to its end. The clock tracks it: while it is in flight, time jumps only once
 * the process has been quiet for a while, so real socket I/O is never overtaken.
 */
export async function chat(env: Pick<RoutingGateway, 'gw' | 'clock'>, model: string, opts: { stream?: boolean } = {}): Promise<ChatResult> {
  const { clock } = env;
  const started = clock.now();
  const { res, text } = await clock.track(
    (async () => {
      const res = await fetch(`${env.gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, stream: opts.stream === true, messages: [{ role: 'user', content: 'hi' }] }),
      });
      return { res, text: await res.text() };
    })(),
  );
  const ms = clock.now() - started;
  const events: ChatResult['events'] = [];
  let json: Record<string, unknown> | undefined;
  if (res.headers.get('content-type')?.includes('text/event-stream')) {
    for (const line of text.split('\n')) {
      if (!line.startsWith('data: ')) continue;
      const data = line.slice(6);
      events.push(data === '[DONE]' ? '[DONE]' : (JSON.parse(data) as Record<string, unknown>));
    }
  } else json = JSON.parse(text) as Record<string, unknown>;
  return { status: res.status, headers: res.headers, json, events, text, ms };
}

/** The content tokens of a streamed answer. */
export function contentOf(events: ChatResult['events']): string[] {
  return events.flatMap((e) => {
    if (e === '[DONE]') return [];
    const choices = e.choices as { delta?: { content?: string } }[] | undefined;
    const c = choices?.[0]?.delta?.content;
    return c ? [c] : [];
  });
}

/**
 * How long (on the upstream's clock) its first request connection stayed open, waiting up to 1 s of real time for its close
 * event (which may trail the gateway's answer to the client); undefined if it never closed.
 */
export async function openFor(up: FaultUpstream): Promise<number | undefined> {
  const conn = up.connections.find((c) => c.request);
  for (let i = 0; i < 50 && conn && conn.closedAt === undefined; i++) await Bun.sleep(20);
  return conn?.closedAt === undefined ? undefined : conn.closedAt - conn.openedAt;
}

/** A provider entry for an upstream. */
export const provider = (url: string, extra: Record<string, unknown> = {}) => ({ type: 'openai-compatible', base_url: `${url}/v1`, ...extra });
