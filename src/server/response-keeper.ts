import { GatewayError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { ChatTranslator, StreamEvent } from '../providers/types.ts';
import type { Store } from '../store/client.ts';
import { deleteResponse, findResponse, purgeExpiredResponses, saveResponse, type ResponseOwner, type StoredResponse } from '../store/responses.ts';
import { inputItems, type ResponsesInputItem, type ResponsesRequest } from '../wire/responses.ts';
import type { Principal } from './middleware/auth.ts';

type Json = Record<string, unknown>;

/** How often expired responses are purged, at most (on the next save after it). */
const PURGE_EVERY_MS = 60_000;
/** The longest conversation previous_response_id may continue, in items. */
const MAX_CONTEXT_ITEMS = 8192;

/** The tenant a stored response belongs to: the key (its hash, or its config name) and its team. */
export function ownerOf(p: Principal | undefined): ResponseOwner {
  return { key: p?.keyHash ?? `name:${p?.name ?? 'anonymous'}`, team: p?.team ?? '' };
}

const notFound = (id: string, param?: string) => new GatewayError('not_found', `No response with id '${id}' was found.`, { param });

/**
 * The Responses API's state: stored responses are written as they complete (saves still in
 * flight are awaited by any read of the same id, so a client's next turn always finds its
 * last one), read back only by their owner, and purged once past `responses.retention`.
 */
export function responseKeeper(store: Store | undefined, logger: Logger, wall: () => number = Date.now) {
  const pending = new Map<string, Promise<void>>();
  let lastPurge = 0;

  async function find(id: string, owner: ResponseOwner, param?: string): Promise<StoredResponse> {
    await pending.get(id);
    const row = store ? await findResponse(store, id, owner, wall()) : undefined;
    if (!row) throw notFound(id, param);
    return row;
  }

  function purge(now: number): void {
    if (!store || now - lastPurge < PURGE_EVERY_MS) return;
    lastPurge = now;
    purgeExpiredResponses(store, now).catch((e: unknown) => logger.warn('responses_purge_failed', { error: String(e) }));
  }

  function keep(response: Json, request: ResponsesRequest, context: ResponsesInputItem[], owner: ResponseOwner, retentionMs: number | null): void {
    if (!store || request.store === false || typeof response.id !== 'string') return;
    const id = response.id;
    const now = wall();
    const own = withIds(inputItems(request.input));
    const row: StoredResponse = { id, ownerKey: owner.key, team: owner.team, createdAt: now, expiresAt: retentionMs === null ? null : now + retentionMs, inputItems: own, context: [...context, ...own], response };
    const save = saveResponse(store, row)
      .catch((e: unknown) => logger.warn('response_store_failed', { id, error: String(e) }))
      .finally(() => pending.delete(id));
    pending.set(id, save);
    purge(now);
  }

  return {
    find,
    /**
     * The conversation before this request (previous_response_id's context, input and output),
     * or nothing; 404 when the id is unknown or another tenant's.
     */
    async history(request: ResponsesRequest, owner: ResponseOwner): Promise<ResponsesInputItem[]> {
      const prev = request.previous_response_id;
      if (!prev) return [];
      const row = await find(prev, owner, 'previous_response_id');
      const output = Array.isArray(row.response.output) ? (row.response.output as ResponsesInputItem[]) : [];
      const items = [...(row.context as ResponsesInputItem[]), ...output];
      if (items.length > MAX_CONTEXT_ITEMS) throw new GatewayError('invalid_request', `The conversation continued by previous_response_id has more than ${MAX_CONTEXT_ITEMS} items.`, { param: 'previous_response_id' });
      return items;
    },
    async remove(id: string, owner: ResponseOwner): Promise<void> {
      await pending.get(id);
      if (!store || !(await deleteResponse(store, id, owner))) throw notFound(id);
    },
    /** A translator that keeps the response it completes (JSON, or the stream's terminal event). */
    keeping<T extends ChatTranslator<ResponsesRequest>>(t: T, request: ResponsesRequest, context: ResponsesInputItem[], owner: ResponseOwner, retentionMs: number | null): T {
      if (!store || request.store === false) return t;
      const done = (r: unknown) => r && typeof r === 'object' && keep(r as Json, request, context, owner, retentionMs);
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
