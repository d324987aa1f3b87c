import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../lib/logger.ts';

export type WatchedSource = { dir: string } | { bundle: string } | { sources: unknown };

// Policy files, and the `..data` symlink a Kubernetes ConfigMap volume swaps to update them all at once.
const RELEVANT = /\.(rego|json|ya?ml)$|^\.\.data$/;

/**
 * Watches a policy directory or bundle. Calls `onFirstEvent` at once (to warm the compiler while
 * the debounce runs), `onChange` after the quiet time. A directory that is deleted and made again
 * (a `git checkout`, a deploy that replaces it) is watched again: its parent is watched for it.
 */
export function watchSource(opts: WatchedSource, debounceMs: number, onFirstEvent: () => void, onChange: () => void, logger?: Logger): () => void {
  if (!('dir' in opts) && !('bundle' in opts)) return () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    if (timer === undefined && 'dir' in opts) onFirstEvent();
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
  };
  if ('bundle' in opts) {
    // The directory, not the file: a bundle is usually replaced by a rename.
    const name = basename(opts.bundle);
    const watcher = watch(dirname(opts.bundle), (_event, file) => {
      if (!file || file === name) schedule();
    });
    return () => {
      clearTimeout(timer);
      watcher.close();
    };
  }
  const dir = opts.dir;
  let inner: FSWatcher | undefined;
  const detach = () => {
    inner?.close();
    inner = undefined;
  };
  const attach = () => {
    detach();
    try {
      inner = watch(dir, { recursive: true }, (_event, file) => {
        // Editors' swap and backup files change nothing a policy reads.
        if (file && !RELEVANT.test(basename(String(file)))) return;
        if (!existsSync(dir)) return gone();
        schedule();
      });
      inner.on('error', () => gone());
    } catch {
      inner = undefined;
    }
  };
  let missing = false;
  const gone = () => {
    if (missing) return;
    missing = true;
    detach();
    logger?.warn('policy directory removed; the running policy keeps serving until it is back', { dir });
  };
  const name = basename(dir);
  const parent = watch(dirname(dir), (_event, file) => {
    if (file && file !== name) return;
    if (!existsSync(dir)) return gone();
    // Made again, or another directory renamed over it: watch what is there now.
    if (missing) logger?.info('policy directory is back; watching it again', { dir });
    missing = false;
    attach();
    schedule();
  });
  attach();
  return () => {
    clearTimeout(timer);
    detach();
    parent.close();
  };
}
