import { afterAll, beforeAll, test } from 'bun:test';
import type { Gateway } from '../../src/server/start.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { startAnthropicUpstream } from '../mocks/anthropic-upstream.ts';
import { MOCK_CREDENTIALS, startBedrockUpstream } from '../mocks/bedrock-upstream.ts';
import { startGeminiUpstream } from '../mocks/gemini-upstream.ts';
import { startOpenAIUpstream } from '../mocks/openai-upstream.ts';
import type { RecordedRequest } from '../mocks/recorder.ts';

/**
 * The client matrix's stage: one live Tollgate in front of the four wire-faithful mock upstreams
 * (test/mocks), and a record of every cell (client × route × feature) that prints as a table.
 *
 * Public model names are `<route>-<behaviour>`: `chat` answers "Hello from <provider>", `tool`
 * calls a tool (then answers with the tool's result), `json` answers {"ok":true} (through a forced
 * tool when one is forced), `embed` embeds. Every upstream reports 11 input and 7 output tokens.
 */
export const ROUTES = ['openai', 'anthropic', 'gemini', 'bedrock'] as const;
export type Route = (typeof ROUTES)[number];
export type Behaviour = 'chat' | 'tool' | 'json' | 'embed';

const KEY = 'test-upstream-key-0000';
const UPSTREAM_MODELS: Record<Route, Partial<Record<Behaviour, string>>> = {
  openai: { chat: 'gpt-chat', tool: 'gpt-tool', json: 'gpt-json', embed: 'text-embedding-3-small' },
  anthropic: { chat: 'claude-chat', tool: 'claude-tool', json: 'claude-json' },
  gemini: { chat: 'gemini-chat', tool: 'gemini-tool', json: 'gemini-json', embed: 'gemini-embedding-001' },
  bedrock: { chat: 'amazon.nova-chat-v1:0', tool: 'amazon.nova-tool-v1:0', json: 'amazon.nova-json-v1:0', embed: 'amazon.titan-embed-text-v2:0' },
};
/** The text each route's `chat` model answers. */
export const HELLO: Record<Route, string> = { openai: 'Hello from openai', anthropic: 'Hello from anthropic', gemini: 'Hello from gemini', bedrock: 'Hello from bedrock' };
/** Why a route cannot offer a feature at all: the only reasons a cell may be expected to fail. */
export const PROVIDER_LIMITS: Partial<Record<Route, Partial<Record<string, string>>>> = {
  anthropic: { embeddings: 'Anthropic has no embeddings API' },
};

export interface MatrixStage {
  gateway: Gateway;
  /** `http://127.0.0.1:port`, no path. */
  url: string;
  model(route: Route, behaviour: Behaviour): string;
  /** What each upstream received, for failure reports. */
  requests: Record<Route, RecordedRequest[]>;
  stop(): Promise<void>;
}

export async function startStage(): Promise<MatrixStage> {
  const openai = startOpenAIUpstream({ apiKey: KEY });
  const anthropic = startAnthropicUpstream({ apiKey: KEY });
  const gemini = startGeminiUpstream({ apiKey: KEY });
  const bedrock = startBedrockUpstream();
  const providers = {
    openai: { type: 'openai', base_url: openai.url + '/v1', api_key: KEY },
    anthropic: { type: 'anthropic', base_url: anthropic.url, api_key: KEY },
    gemini: { type: 'gemini', base_url: gemini.url + '/v1beta', api_key: KEY },
    bedrock: { type: 'bedrock', region: 'us-east-1', base_url: bedrock.url, access_key_id: MOCK_CREDENTIALS.accessKeyId, secret_access_key: MOCK_CREDENTIALS.secretAccessKey },
  };
  const models: Record<string, unknown> = {};
  for (const route of ROUTES) {
    for (const [behaviour, upstream] of Object.entries(UPSTREAM_MODELS[route])) {
      models[`${route}-${behaviour}`] = { provider: route, model: upstream, kind: behaviour === 'embed' ? 'embeddings' : 'chat' };
    }
  }
  const gateway = await startTestGateway({ providers, models });
  return {
    gateway,
    url: gateway.url,
    model: (route, behaviour) => `${route}-${behaviour}`,
    requests: { openai: openai.requests, anthropic: anthropic.requests, gemini: gemini.requests, bedrock: bedrock.requests },
    async stop() {
      await gateway.stop();
      for (const up of [openai, anthropic, gemini, bedrock]) up.stop();
    },
  };
}

/**
 * One stage for a test file: started before its cells, stopped after them, and the file's matrix
 * printed once (console.log) at the end. The returned object reads the live stage.
 */
export function useStage(matrix: Matrix): MatrixStage {
  let live: MatrixStage | undefined;
  beforeAll(async () => {
    live = await startStage();
  });
  afterAll(async () => {
    console.log(matrix.summary());
    await live?.stop();
  });
  const s = (): MatrixStage => {
    if (!live) throw new Error('the client-matrix stage is not running (used outside a test?)');
    return live;
  };
  return {
    get gateway() {
      return s().gateway;
    },
    get url() {
      return s().url;
    },
    get requests() {
      return s().requests;
    },
    model: (route, behaviour) => s().model(route, behaviour),
    stop: () => s().stop(),
  };
}

type Outcome = 'pass' | 'fail' | 'xfail' | 'xpass';
interface CellResult {
  client: string;
  route: Route;
  feature: string;
  outcome: Outcome;
  note?: string;
}

/** Collects the outcome of every cell in one test file and prints them as one table. */
export class Matrix {
  readonly results: CellResult[] = [];
  constructor(readonly title: string) {}

  /**
   * One cell as a concurrent bun test. A cell whose route cannot offer the feature (PROVIDER_LIMITS)
   * runs the same assertions as `test.failing`: it must fail, and it counts as xfail.
   */
  cell(client: string, route: Route, feature: string, fn: () => Promise<void>, timeout = 30_000): void {
    const limit = PROVIDER_LIMITS[route]?.[feature];
    const name = `${client} · ${route} · ${feature}${limit ? ` (expected to fail: ${limit})` : ''}`;
    const body = async () => {
      try {
        await fn();
      } catch (e) {
        this.results.push({ client, route, feature, outcome: limit ? 'xfail' : 'fail', note: limit ?? firstLine(e) });
        throw e;
      }
      this.results.push({ client, route, feature, outcome: limit ? 'xpass' : 'pass' });
    };
    if (limit) test.failing(name, body, timeout);
    else test.concurrent(name, body, timeout);
  }

  summary(): string {
    const count = (o: Outcome) => this.results.filter((r) => r.outcome === o).length;
    const lines = [`client matrix — ${this.title}: ${this.results.length} cells, ${count('pass')} pass, ${count('fail')} fail, ${count('xfail')} xfail${count('xpass') ? `, ${count('xpass')} xpass` : ''}`];
    const sorted = [...this.results].sort((a, b) => a.client.localeCompare(b.client) || ROUTES.indexOf(a.route) - ROUTES.indexOf(b.route) || a.feature.localeCompare(b.feature));
    for (const r of sorted) lines.push(`  ${r.outcome.padEnd(5)} ${r.client} · ${r.route} · ${r.feature}${r.note ? ` — ${r.note.slice(0, 160)}` : ''}`);
    return lines.join('\n');
  }
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').find((l) => l.trim()) ?? msg;
}
