/**
 * Slows down guessing the master key at POST /ui/login: after `limit` failed logins from one
 * client address within `windowMs`, that address is refused until its oldest failure leaves the
 * window. Addresses are counted apart so one guesser does not lock everyone out; at most `max`
 * addresses are tracked (the oldest is dropped).
 */
export interface LoginThrottle {
  /** Milliseconds until this client may try again; 0 when it may now. */
  retryAfter(client: string): number;
  failed(client: string): void;
}

export function loginThrottle({ limit = 10, windowMs = 60_000, max = 10_000, now = () => Date.now() } = {}): LoginThrottle {
  const failures = new Map<string, number[]>();
  const recent = (client: string, t: number) => (failures.get(client) ?? []).filter((at) => t - at < windowMs);
  return {
    retryAfter(client) {
      const t = now();
      const r = recent(client, t);
      if (r.length) failures.set(client, r);
      else failures.delete(client);
      return r.length >= limit ? r[0]! + windowMs - t : 0;
    },
    failed(client) {
      const t = now();
      const r = recent(client, t);
      r.push(t);
      failures.delete(client);
      while (failures.size >= max) failures.delete(failures.keys().next().value!);
      failures.set(client, r.slice(-limit));
    },
  };
}
