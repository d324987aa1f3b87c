import { createRegoCompiler } from './compiler/index.ts';
import type { RegoCompiler } from './compiler/types.ts';

/**
 * Lends one Rego compiler to a run of reloads. A compiler instance holds ~200 MiB, so by
 * default (`idleMs: 0`) it is closed after every use. A kept one halves reload time for the
 * default policies (~0.4 s against ~0.8 s), which `idleMs` trades for the memory while
 * policies are being edited. warm() starts a compiler while a file-change debounce runs.
 */
export interface CompilerKeeper {
  /** The compiler, creating it if needed. Pair with release(). */
  acquire(): Promise<RegoCompiler>;
  release(): void;
  /** Starts creating the compiler ahead of need (e.g. while a file-change debounce runs). */
  warm(): void;
  /** Drops a compiler that failed; the next acquire() creates a new one. */
  discard(): void;
  close(): Promise<void>;
}

export function createCompilerKeeper(idleMs: number, create: () => Promise<RegoCompiler> = () => createRegoCompiler()): CompilerKeeper {
  let current: Promise<RegoCompiler> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const closeNow = async (): Promise<void> => {
    clearTimeout(timer);
    const c = current;
    current = undefined;
    await c?.then((x) => x.close()).catch(() => undefined);
  };

  const acquire = (): Promise<RegoCompiler> => {
    clearTimeout(timer);
    current ??= create();
    const mine = current;
    // A failed start must not be handed out again.
    mine.catch(() => {
      if (current === mine) current = undefined;
    });
    return mine;
  };

  return {
    acquire,
    release() {
      clearTimeout(timer);
      if (idleMs <= 0) return void closeNow();
      timer = setTimeout(() => void closeNow(), idleMs);
      timer.unref?.(); // an idle compiler must not keep the process alive
    },
    warm() {
      void acquire().catch(() => undefined);
    },
    discard() {
      void closeNow();
    },
    close: closeNow,
  };
}
