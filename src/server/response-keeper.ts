import { GatewayError } from '../lib/errors.ts';
import type { Clock, Timer } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { GatewayConfig } from '../config/schema.ts';
import type { ChatTranslator, StreamEvent } from '../providers/types.ts';
import type { Store } from '../store/client.ts';
import { chainHead, deleteResponse, extendChain, findInputItems, findResponseObject, purgeExpiredResponses, readChain, saveResponse, type ChainHead, type ResponseOwner } from '../store/responses.ts';
import { inputItems, type ResponsesInputItem, type ResponsesRequest } from '../wire/responses.ts';
import type { Principal } from './middleware/auth.ts';

type Json = Record<string, unknown>;
export type ResponsesConfig = GatewayConfig['responses'];

/** How often expired responses are purged: on this timer, and on a save at most this often. */
export const PURGE_EVERY_MS = 60_000;
/** The longest conversation previous_response_id may continue, in items. */
const MAX_CONTEXT_ITEMS = 8192;

/** The tenant a stored response belongs to: the key (its hash, or its config name) and its team. */
export function ownerOf(p: Principal | undefined): ResponseOwner {
  return { key: p?.keyHash ?? `name:${p?.name ?? 'anonymous'}`, team: p?.team ?? '' };
}

const notFound = (id: string, param?: string) => new GatewayError('not_found', `No response with id '${id}' was found.`, { param });
const tooLong = (message: string) => new GatewayError('invalid_request', message, { param: 'previous_response_id', code: 'conversation_too_long' });
const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

/** The conversation before a request: its items, and the chain they came from (for the next turn's row). */
export interface History {
  items: ResponsesInputItem[];
  chain?: ChainHead & { ids: string[] };
}

/**
 * The Responses API's state: each stored response keeps its own turn and points at the one it
 * continued, so storage grows linearly with a conversation. Saves still in flight are awaited by
 * any read of the same id (a client's next turn always finds its last one); rows are read back
 * only by their owner, bounded in turns and bytes, and purged once past `responses.retention`,
 * on a timer (`start`) and on saves.
 */
export function responseKeeper(store: Store | undefined, logger: Logger, wall: () => number = Date.now) {
  const pending = new Map<string, Promise<void>>();
  let lastPurge = 0;
  let timer: Timer | undefined;

  async function settled(id: string): Promise<Store> {
    await pending.get(id);
    if (!store) throw notFound(id);
    return store;
  }

  function purge(now: number): Promise<void> {
    if (!store) return Promise.resolve();
    lastPurge = now;
    return purgeExpiredResponses(store, now).then(
      () => undefined,
      (e: unknown) => logger.warn('responses_purge_failed', { error: String(e) }),
    );
  }

  function keep(response: Json, request: ResponsesRequest, history: History, owner: ResponseOwner, cfg: ResponsesConfig): void {
    if (!store || request.store === false || typeof response.id !== 'string') return;
    const id = response.id;
    const now = wall();
    const inputItemsJson = JSON.stringify(withIds(inputItems(request.input)));
    const responseJson = JSON.stringify(response);
    const bytes = byteLength(inputItemsJson) + byteLength(responseJson);
    if (bytes > cfg.max_row_bytes) {
      // The input was checked before the call; an output that pushed the row past the bound is not kept.
      logger.warn('response_not_stored', { id, bytes, max_row_bytes: cfg.max_row_bytes });
      return;
    }
    const expiresAt = cfg.retention === null ? null : now + cfg.retention;
    const chain = history.chain;
    const row = { id, owner, createdAt: now, expiresAt, previousId: request.previous_response_id ?? null, depth: (chain?.depth ?? 0) + 1, bytes, chainBytes: (chain?.chainBytes ?? 0) + bytes, inputItemsJson, responseJson };
    const caps = { rowsPerKey: cfg.max_rows_per_key, bytesPerKey: cfg.max_bytes_per_key, rowsPerTeam: cfg.max_rows_per_team, bytesPerTeam: cfg.max_bytes_per_team };
    const save = saveResponse(store, row, caps)
      .then(() => extendChain(store, chain?.ids ?? [], expiresAt))
      .catch((e: unknown) => logger.warn('response_store_failed', { id, error: String(e) }))
      .finally(() => pending.delete(id));
    pending.set(id, save);
    if (now - lastPurge >= PURGE_EVERY_MS) void purge(now);
  }

  return {
    /** Purges expired rows every PURGE_EVERY_MS on `clock`, until `close`. */
    start(clock: Pick<Clock, 'setTimeout'>): void {
      if (!store || timer) return;
      const tick = () => {
        timer = clock.setTimeout(() => void purge(wall()).finally(() => timer && tick()), PURGE_EVERY_MS);
      };
      tick();
    },
    close(): void {
      timer?.cancel();
      timer = undefined;
    },
    /** The owner's stored response object; 404 for an unknown, expired or another tenant's id. */
    async response(id: string, owner: ResponseOwner): Promise<Json> {
      const s = await settled(id);
      const r = await findResponseObject(s, id, owner, wall());
      if (!r) throw notFound(id);
      return r;
    },
    /** The owner's response's own input items; 404 as for `response`. */
    async inputItems(id: string, owner: ResponseOwner): Promise<unknown[]> {
      const s = await settled(id);
      const items = await findInputItems(s, id, owner, wall());
      if (!items) throw notFound(id);
      return items;
    },
    /**
     * The conversation before this request (each earlier turn's input and output, oldest first),
     * or nothing; 404 when the id is unknown, another tenant's, or a turn of it is gone; 400 when
     * it is longer, in turns or bytes, than the config allows (checked before the chain is read).
     */
    async history(request: ResponsesRequest, owner: ResponseOwner, cfg: ResponsesConfig): Promise<History> {
      const prev = request.previous_response_id;
      if (!prev) return { items: [] };
      const s = await settled(prev).catch(() => {
        throw notFound(prev, 'previous_response_id');
      });
      const now = wall();
      const head = await chainHead(s, prev, owner, now);
      if (!head) throw notFound(prev, 'previous_response_id');
      if (head.depth > cfg.max_conversation_turns) throw tooLong(`The conversation continued by previous_response_id has ${head.depth} turns; this gateway continues at most ${cfg.max_conversation_turns} (responses.max_conversation_turns). Start a new conversation with the context you need as input.`);
      if (head.chainBytes > cfg.max_conversation_bytes) throw tooLong(`The conversation continued by previous_response_id holds ${head.chainBytes} bytes; this gateway continues at most ${cfg.max_conversation_bytes} (responses.max_conversation_bytes). Start a new conversation with the context you need as input.`);
      const turns = await readChain(s, prev, owner, now, head.depth);
      const first = turns[0];
      if (!first || (first.previousId !== null && !first.legacy)) {
        throw new GatewayError('not_found', `An earlier response of the conversation continued by '${prev}'${first ? ` ('${first.previousId}')` : ''} has expired or was deleted.`, { param: 'previous_response_id' });
      }
      const items = turns.flatMap((t) => [...t.input, ...t.output]) as ResponsesInputItem[];
      if (items.length > MAX_CONTEXT_ITEMS) throw tooLong(`The conversation continued by previous_response_id has more than ${MAX_CONTEXT_ITEMS} items.`);
      return { items, chain: { ...head, ids: turns.map((t) => t.id) } };
    },
    async remove(id: string, owner: ResponseOwner): Promise<void> {
      const s = await settled(id);
      if (!(await deleteResponse(s, id, owner))) throw notFound(id);
    },
    /** A translator that keeps the response it completes (JSON, or the stream's terminal event). */
    /** A cached response served as a new one: a fresh id and time, kept like any answer (when the request stores). */
    keptCopy(response: Json, request: ResponsesRequest, history: History, owner: ResponseOwner, cfg: ResponsesConfig): Json {
      // The fields the cache key leaves out are this request's, never the writer's (another tenant's user and metadata).
      const copy: Json = {
        ...response,
        id: `resp_${crypto.randomUUID().replace(/-/g, '')}`,
        created_at: Math.floor(wall() / 1000),
        model: request.model,
        user: request.user ?? null,
        metadata: request.metadata ?? {},
        store: request.store ?? true,
        previous_response_id: request.previous_response_id ?? null,
      };
      for (const k of ['safety_identifier', 'prompt_cache_key', 'prompt_cache_retention'] as const) {
        const own = (request as Record<string, unknown>)[k];
        if (own === undefined) delete copy[k];
        else copy[k] = own;
      }
      keep(copy, request, history, owner, cfg);
      return copy;
    },
    keeping<T extends ChatTranslator<ResponsesRequest>>(t: T, request: ResponsesRequest, history: History, owner: ResponseOwner, cfg: ResponsesConfig): T {
      if (!store || request.store === false) return t;
      const done = (r: unknown) => r && typeof r === 'object' && keep(r as Json, request, history, owner, cfg);
      const watch = (events: StreamEvent[]) => {
        for (const e of events) {
          const d = e.data as Json | null;
          if (d && typeof d === 'object' && (d.type === 'response.completed' || d.type === 'response.incomplete')) done(d.response);
        }
        return events;
      };
      return {
        ...t,
        response: (json: unknown) => {
          const r = t.response(json);
          done(r);
          return r;
        },
        streamEvent: (ev: StreamEvent) => watch(t.streamEvent(ev)),
        streamEnd: () => watch(t.streamEnd()),
      };
    },
  };
}

export type ResponseKeeper = ReturnType<typeof responseKeeper>;

/** Input items as OpenAI lists them: each with an id; messages typed, their text as input_text parts. */
function withIds(items: ResponsesInputItem[]): ResponsesInputItem[] {
  return items.map((item) => {
    const o = item as Json;
    const id = typeof o.id === 'string' && o.id ? o.id : `msg_${crypto.randomUUID().replace(/-/g, '')}`;
    if (!('role' in o)) return { ...o, id } as ResponsesInputItem;
    const content = typeof o.content === 'string' ? [{ type: o.role === 'assistant' ? 'output_text' : 'input_text', text: o.content }] : o.content;
    return { ...o, id, type: 'message', content } as ResponsesInputItem;
  });
}
