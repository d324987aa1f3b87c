import { readFileSync, realpathSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls `onChange` (debounced) when the file's content changes. Watches the directory, because
 * editors save by writing a new file and renaming it over the old one, and Kubernetes updates a
 * ConfigMap by swapping its `..data` symlink, so the file's own name never shows in an event;
 * a file that is a symlink elsewhere is watched where it points too. Events that leave the
 * content as it was (a touch, another file's swap) are ignored.
 */
export function watchConfig(path: string, onChange: () => void, debounceMs = 150): () => void {
  const name = basename(path);
  const read = () => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  let last = read();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const now = read();
    // Missing mid-swap: the next event brings it back.
    if (now === undefined || now === last) return;
    last = now;
    onChange();
    follow();
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
  };
  const own = watch(dirname(path), (_event, file) => {
    if (file && file !== name && !String(file).startsWith('..')) return;
    schedule();
  });
  // Where the symlink points now (re-resolved after each change).
  let target: { dir: string; watcher: FSWatcher } | undefined;
  const follow = () => {
    let dir: string;
    try {
      dir = dirname(realpathSync(path));
    } catch {
      return;
    }
    if (dir === dirname(path) || dir === target?.dir) return;
    target?.watcher.close();
    try {
      target = { dir, watcher: watch(dir, () => schedule()) };
    } catch {
      target = undefined;
    }
  };
  follow();
  return () => {
    clearTimeout(timer);
    own.close();
    target?.watcher.close();
  };
}
