/** sha-256 hex of a string (Bun.CryptoHasher: no node:crypto). Virtual keys are stored and compared only as this digest. */
export function sha256Hex(s: string): string {
  return new Bun.CryptoHasher('sha256').update(s).digest('hex');
}
