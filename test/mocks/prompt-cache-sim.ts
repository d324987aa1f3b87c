/**
 * The provider-side prompt cache the Anthropic and Bedrock mocks share, shaped like the recorded
 * cache cassettes: a prompt is a list of segments, each the text up to a breakpoint and that
 * breakpoint's TTL. The longest cached prefix is read; the segments after it are written, each at
 * its own breakpoint's TTL (Anthropic's cache_creation.ephemeral_5m/1h split, Bedrock's
 * cacheDetails). One token per 4 characters. Text after the last breakpoint is not cached.
 */
export type Ttl = '5m' | '1h';
export interface Segment {
  text: string;
  ttl: Ttl;
}
export interface CacheCounts {
  read: number;
  write5m: number;
  write1h: number;
}

export function promptCache() {
  const cached = new Set<string>();
  return {
    /** The counts for one call; the prefixes it wrote are cached from then on. */
    use(scope: string, segments: Segment[]): CacheCounts {
      const counts: CacheCounts = { read: 0, write5m: 0, write1h: 0 };
      let prefix = scope;
      const prefixes = segments.map((s) => (prefix += '\u0000' + s.text));
      let hit = -1;
      prefixes.forEach((p, i) => {
        if (cached.has(p)) hit = i;
      });
      segments.forEach((s, i) => {
        const tokens = Math.ceil(s.text.length / 4);
        if (i <= hit) counts.read += tokens;
        else if (s.ttl === '1h') counts.write1h += tokens;
        else counts.write5m += tokens;
        cached.add(prefixes[i]!);
      });
      return counts;
    },
  };
}

/**
 * Splits a block list at its breakpoints: `ttlOf` gives a block's breakpoint TTL, or undefined;
 * `textOf` the block's content as the cache sees it (without its marker).
 */
export function segmentsOf<B>(blocks: B[], ttlOf: (b: B) => Ttl | undefined, textOf: (b: B) => string): Segment[] {
  const out: Segment[] = [];
  let text = '';
  for (const b of blocks) {
    text += textOf(b);
    const ttl = ttlOf(b);
    if (ttl) {
      out.push({ text, ttl });
      text = '';
    }
  }
  return out;
}

/** The provider's ordering rule: a 1-hour breakpoint may not come after a 5-minute one. */
export function ttlOrderProblem(segments: Segment[]): string | undefined {
  const first5m = segments.findIndex((s) => s.ttl === '5m');
  const late1h = first5m < 0 ? -1 : segments.findIndex((s, i) => i > first5m && s.ttl === '1h');
  return late1h < 0 ? undefined : "a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block";
}
