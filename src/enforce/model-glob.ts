/** Whether a key's model patterns (`gpt-4o*`, `claude-*`, exact names) allow a model. */
export function modelAllowed(patterns: readonly string[], requested: string, canonical: string): boolean {
  return patterns.some((p) => matches(p, requested) || matches(p, canonical));
}

function matches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(name);
}
