/**
 * Reads a response body up to `limit` bytes (`text` decodes what was kept). Past the limit the reader is cancelled (the
 * upstream socket closes) and `over` is set, so a hostile or broken upstream can make the
 * gateway hold at most `limit` bytes plus one network chunk.
 */
export async function readBounded(body: ReadableStream<Uint8Array> | null, limit: number): Promise<{ text: () => string; over: boolean }> {
  if (!body) return { text: () => '', over: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > limit) {
        chunks.push(value.subarray(0, limit - size));
        await reader.cancel().catch(() => {});
        return { text: () => decode(chunks), over: true };
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  }
  return { text: () => decode(chunks), over: false };
}

function decode(chunks: Uint8Array[]): string {
  const decoder = new TextDecoder();
  let out = '';
  for (const c of chunks) out += decoder.decode(c, { stream: true });
  return out + decoder.decode();
}
