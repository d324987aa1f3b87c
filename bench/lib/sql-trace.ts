/**
 * Preloaded into the profiled gateway (`bun --preload`): counts every SQL statement libSQL runs
 * on a file database and the time it holds the event loop (prepare + run, both synchronous),
 * without touching src/. Statements the client adds around a batch (BEGIN, COMMIT) show up on
 * their own. SIGUSR2 zeroes the counters (at the start of the measured load); on exit they go
 * to $BENCH_SQL_TRACE as JSON.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

type Fn = (...a: unknown[]) => unknown;
type Stat = { calls: number; ms: number; maxMs: number };
const SQL = Symbol('bench.sql');
let stats = new Map<string, Stat>();

// Keyed by the SQL text as given (cheap on the hot path); normalised when written out.
const note = (sql: unknown, ms: number, call: boolean) => {
  let s = stats.get(sql as string);
  if (!s) stats.set(sql as string, (s = { calls: 0, ms: 0, maxMs: 0 }));
  if (call) s.calls++;
  s.ms += ms;
  if (ms > s.maxMs) s.maxMs = ms;
};

// libsql is CommonJS; @libsql/client loads the same module instance.
const Database = createRequire(import.meta.url)('libsql') as { prototype: Record<string, Fn> };
const prepare = Database.prototype.prepare!;
let statementPatched = false;
Database.prototype.prepare = function (this: unknown, sql: unknown) {
  const t = performance.now();
  const stmt = prepare.call(this, sql) as Record<string | symbol, unknown>;
  note(sql, performance.now() - t, false);
  stmt[SQL] = sql;
  if (!statementPatched) {
    statementPatched = true;
    const proto = Object.getPrototypeOf(stmt) as Record<string, Fn>;
    for (const m of ['run', 'all', 'get', 'iterate']) {
      const orig = proto[m];
      if (!orig) continue;
      proto[m] = function (this: Record<symbol, unknown>, ...args: unknown[]) {
        const t0 = performance.now();
        try {
          return orig.apply(this, args);
        } finally {
          note(this[SQL], performance.now() - t0, true);
        }
      };
    }
  }
  return stmt;
};

process.on('SIGUSR2', () => {
  stats = new Map();
});
process.on('exit', () => {
  const out = process.env.BENCH_SQL_TRACE;
  const merged = new Map<string, Stat>();
  for (const [sql, s] of stats) {
    const key = String(sql).replace(/\s+/g, ' ').trim().slice(0, 200);
    const m = merged.get(key) ?? { calls: 0, ms: 0, maxMs: 0 };
    merged.set(key, { calls: m.calls + s.calls, ms: m.ms + s.ms, maxMs: Math.max(m.maxMs, s.maxMs) });
  }
  if (out) writeFileSync(out, JSON.stringify([...merged].map(([sql, s]) => ({ sql, ...s }))));
});
