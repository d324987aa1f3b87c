/**
 * Dashboard sessions: a random id held in memory with an expiry, and a CSRF token that
 * state-changing calls must echo in a header. The cookie carries only the id, never the master
 * key; a session also dies when the master key changes (it remembers a digest of the key it
 * was opened with). Sessions do not survive a restart, and each instance has its own.
 */
export interface UiSession {
  id: string;
  csrf: string;
  expiresAt: number;
}

export interface UiSessions {
  open(masterKey: string): UiSession;
  /** The live session with this id, opened under this master key; undefined otherwise. */
  get(id: string | undefined, masterKey: string | undefined): UiSession | undefined;
  close(id: string | undefined): void;
  readonly size: number;
}

export const UI_SESSION_COOKIE = 'tollgate_ui';
export const CSRF_HEADER = 'x-tollgate-csrf';

const randomToken = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
const keyDigest = (key: string) => new Bun.CryptoHasher('sha256').update(key).digest('hex');

export function uiSessions({ ttlMs = 8 * 3_600_000, max = 1_000, now = () => Date.now() } = {}): UiSessions {
  const live = new Map<string, UiSession & { key: string }>();
  const sweep = (t: number) => {
    for (const [id, s] of live) if (s.expiresAt <= t) live.delete(id);
  };
  return {
    open(masterKey) {
      const t = now();
      sweep(t);
      // Bounded: the oldest session goes first (a Map iterates in insertion order).
      while (live.size >= max) live.delete(live.keys().next().value!);
      const s = { id: randomToken(), csrf: randomToken(), expiresAt: t + ttlMs, key: keyDigest(masterKey) };
      live.set(s.id, s);
      return { id: s.id, csrf: s.csrf, expiresAt: s.expiresAt };
    },
    get(id, masterKey) {
      if (!id || !masterKey) return undefined;
      const s = live.get(id);
      if (!s) return undefined;
      if (s.expiresAt <= now() || s.key !== keyDigest(masterKey)) {
        live.delete(id);
        return undefined;
      }
      return { id: s.id, csrf: s.csrf, expiresAt: s.expiresAt };
    },
    close(id) {
      if (id) live.delete(id);
    },
    get size() {
      return live.size;
    },
  };
}
