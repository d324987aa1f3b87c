/** An error's first line (with its cause's message), short enough for one log field. */
export function firstLine(e: unknown): string {
  const m = e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}` : String(e);
  return m.split('\n')[0]!.slice(0, 300);
}
