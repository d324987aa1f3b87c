/** A key picked for one attempt: its 0-based index among the provider's keys, and the key. */
/** When none is usable: the shortest wait, and whether the key freed first rests after a 429 (not a refusal). */
export type KeyPick = { ok: true; index: number; key: string } | { ok: false; waitMs: number; rateLimited: boolean };

export interface KeyPool {
  /**
   * The next usable key of a provider for a model, round-robin, skipping keys cooling down
   * after a 429 (for that model) or refused (401/403, for every model). Providers without keys
   * have one unnamed key so that a 429 still cools them down.
   */
  pick(provider: string, keys: string[], model: string, now: number): KeyPick;
  /** A 429: this key rests for this model until `until`. */
  rateLimited(provider: string, key: string, model: string, until: number): void;
  /** A 401/403: this key rests for every model until `until`. */
  refused(provider: string, key: string, until: number): void;
  /** Whether some key could be picked for the model now (without moving the rotation on). */
  available(provider: string, keys: string[], model: string, now: number): boolean;
  /** How many of the provider's keys are usable for any model now. */
  usable(provider: string, keys: string[], now: number): number;
}

/** Key cool-downs are kept by the key itself, so they survive reloads that keep the key. */
export function createKeyPool(): KeyPool {
  const cooling = new Map<string, number>();
  const turn = new Map<string, number>();
  const id = (provider: string, key: string, model?: string) => `${provider}\u0000${key}\u0000${model ?? '*'}`;
  // A key-wide rest is a refusal (401/403); a per-model rest is a 429.
  const refusedUntil = (provider: string, key: string, now: number) => {
    const until = cooling.get(id(provider, key)) ?? 0;
    return until > now ? until : 0;
  };
  const restsUntil = (provider: string, key: string, model: string | undefined, now: number) => {
    const one = model === undefined ? 0 : (cooling.get(id(provider, key, model)) ?? 0);
    return Math.max(refusedUntil(provider, key, now), one > now ? one : 0);
  };
  const rest = (k: string, until: number) => {
    if (until > (cooling.get(k) ?? 0)) cooling.set(k, until);
  };

  return {
    pick(provider, configured, model, now) {
      const keys = configured.length ? configured : [''];
      const start = turn.get(provider) ?? 0;
      let soonest = Infinity;
      let refused = false;
      for (let i = 0; i < keys.length; i++) {
        const index = (start + i) % keys.length;
        const until = restsUntil(provider, keys[index]!, model, now);
        if (!until) {
          turn.set(provider, (index + 1) % keys.length);
          return { ok: true, index, key: keys[index]! };
        }
        if (until - now < soonest) {
          soonest = until - now;
          refused = refusedUntil(provider, keys[index]!, now) === until;
        }
      }
      return { ok: false, waitMs: soonest, rateLimited: !refused };
    },
    available: (provider, configured, model, now) => (configured.length ? configured : ['']).some((k) => !restsUntil(provider, k, model, now)),
    rateLimited: (provider, key, model, until) => rest(id(provider, key, model), until),
    refused: (provider, key, until) => rest(id(provider, key), until),
    usable(provider, configured, now) {
      const keys = configured.length ? configured : [''];
      return keys.filter((k) => !restsUntil(provider, k, undefined, now)).length;
    },
  };
}
