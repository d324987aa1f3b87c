/** sha-256 hex of a virtual key; only this digest is ever stored or compared. */
export function sha256Hex(s: string): string {
  return new Bun.CryptoHasher('sha256').update(s).digest('hex');
}
