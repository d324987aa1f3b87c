import { open, readdir, stat, unlink, mkdir } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { LedgerEntry } from './usage-row.ts';

export interface UsageJournal {
  readonly dir: string;
  /** Appends entries as JSON lines with one fsync; throws (nothing half-counted) when the disk or the bound refuses. */
  append(entries: LedgerEntry[]): Promise<void>;
  /** Bytes in this process's journal file. */
  bytes(): number;
  /** Journal files waiting to be replayed: this process's and those of processes that are gone. */
  pending(): Promise<string[]>;
  /** Reads a journal file in chunks of `size` entries; a torn last line (a crash mid-append) is skipped and counted. */
  read(path: string, size: number, each: (entries: LedgerEntry[]) => Promise<void>): Promise<{ entries: number; torn: number }>;
  /** Empties a replayed file; call only once its rows are committed. */
  discard(path: string): Promise<void>;
}

const NAME = /^ledger-(\d+)-(\d+)-[a-z0-9]+\.jsonl$/;

/**
 * The local journal of usage rows the database would not take: one append-only file of JSON lines
 * per process (`ledger-<pid>-<start>-<rand>.jsonl`, so gateways sharing a directory never write
 * the same file), bounded by `maxBytes`. Nothing is opened until the first append.
 */
export function usageJournal(dir: string, maxBytes: number): UsageJournal {
  const self = `ledger-${process.pid}-${Math.round(performance.timeOrigin)}-${Math.random().toString(36).slice(2, 8)}.jsonl`;
  const path = join(dir, self);
  let size = 0;
  let created = false;
  const encoder = new TextEncoder();

  return {
    dir,
    async append(entries) {
      if (!entries.length) return;
      const data = encoder.encode(entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
      if (size + data.length > maxBytes) throw new Error(`journal full (${size} of ${maxBytes} bytes, ledger.journal_max_bytes)`);
      await mkdir(dir, { recursive: true });
      const fh = await open(path, 'a');
      try {
        const before = (await fh.stat()).size;
        // A partial line left by a failed write would swallow the next one: start on a fresh line.
        const body = before > size ? concat(encoder.encode('\n'), data) : data;
        await fh.write(body);
        await fh.sync();
        size = before + body.length;
      } finally {
        await fh.close();
      }
      // A new file's directory entry is only durable once the directory is synced too.
      if (!created) {
        await syncDir(dir);
        created = true;
      }
    },
    bytes: () => size,
    async pending() {
      const names = await readdir(dir).catch(() => [] as string[]);
      const out: string[] = [];
      for (const name of names) {
        const m = NAME.exec(name);
        if (!m) continue;
        const [pid, started] = [Number(m[1]), Number(m[2])];
        const mine = name === self;
        // Another live process's file is its own to replay; ours, or one of a process that is gone, is ours.
        const theirs = !mine && pid !== process.pid ? alive(pid) : !mine && started === Math.round(performance.timeOrigin);
        if (theirs) continue;
        const s = await stat(join(dir, name)).catch(() => undefined);
        if (s && s.size > 0) out.push(join(dir, name));
        // An emptied journal of a process that is gone is just left over.
        else if (s && !mine) await unlink(join(dir, name)).catch(() => undefined);
      }
      return out;
    },
    async read(file, chunk, each) {
      let batch: LedgerEntry[] = [];
      let entries = 0;
      let torn = 0;
      // Imported here: node:readline costs every start ~5 ms, and only a replay reads lines.
      const { createInterface } = await import('node:readline');
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      for await (const line of lines) {
        if (!line) continue;
        const entry = parseEntry(line);
        if (!entry) {
          torn++;
          continue;
        }
        batch.push(entry);
        entries++;
        if (batch.length >= chunk) {
          await each(batch);
          batch = [];
        }
      }
      if (batch.length) await each(batch);
      return { entries, torn };
    },
    async discard(file) {
      if (file === path) {
        const fh = await open(path, 'r+');
        try {
          await fh.truncate(0);
          await fh.sync();
        } finally {
          await fh.close();
        }
        size = 0;
      } else {
        await unlink(file).catch(() => undefined);
      }
    },
  };
}

function parseEntry(line: string): LedgerEntry | undefined {
  try {
    const v: unknown = JSON.parse(line);
    if (v && typeof v === 'object' && 'row' in v && 'spend' in v && Array.isArray(v.spend) && v.row && typeof v.row === 'object' && 'requestId' in v.row) return v as LedgerEntry;
  } catch {
    /* a torn line */
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return !!(e && typeof e === 'object' && 'code' in e && e.code === 'EPERM');
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The journal directory: `ledger.journal_dir` (relative to `baseDir`, the config file's), else
 * `ledger-journal/` beside a file database, else the user's state dir. `:memory:` keeps nothing,
 * so it gets no journal unless one is configured.
 */
export function journalDir(dbUrl: string, configured: string | undefined, baseDir: string, state: string | undefined): string | undefined {
  if (configured) return resolve(baseDir, configured);
  if (dbUrl.startsWith('file:')) return join(dirname(dbUrl.slice('file:'.length).split('?')[0]!), 'ledger-journal');
  if (dbUrl === ':memory:') return undefined;
  return state ? join(state, 'ledger-journal') : undefined;
}
