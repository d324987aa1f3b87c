/**
 * Who is calling: a virtual key (its id, hash, team, limits) or the anonymous caller. Made by the
 * auth middleware, read by admission. Never holds the key itself, only its hash and settings.
 */
export interface Principal {
  keyId?: string;
  keyHash?: string;
  name: string;
  team?: string;
  user?: string;
  tags: string[];
  /** Glob patterns of public model names the key may call; undefined = any. */
  models?: string[];
  rpm?: number;
  tpm?: number;
  budget?: { micros: number; period: 'day' | 'week' | 'month'; alerts?: number[] };
  createdAt?: number;
  expiresAt?: number;
}
