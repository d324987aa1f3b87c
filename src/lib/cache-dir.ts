import { homedir } from 'node:os';
import { join } from 'node:path';

/** The user's cache directory: $TOLLGATE_CACHE_DIR, systemd's $CACHE_DIRECTORY, $XDG_CACHE_HOME/tollgate or ~/.cache/tollgate. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TOLLGATE_CACHE_DIR) return env.TOLLGATE_CACHE_DIR;
  if (env.CACHE_DIRECTORY) return env.CACHE_DIRECTORY.split(':')[0];
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'tollgate');
  const home = env.HOME ?? homedir();
  return home && home !== '/' ? join(home, '.cache', 'tollgate') : undefined;
}

/** The user's state directory (kept across runs, unlike a cache): $TOLLGATE_STATE_DIR, systemd's $STATE_DIRECTORY, $XDG_STATE_HOME/tollgate or ~/.local/state/tollgate. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TOLLGATE_STATE_DIR) return env.TOLLGATE_STATE_DIR;
  if (env.STATE_DIRECTORY) return env.STATE_DIRECTORY.split(':')[0];
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'tollgate');
  const home = env.HOME ?? homedir();
  return home && home !== '/' ? join(home, '.local', 'state', 'tollgate') : undefined;
}
