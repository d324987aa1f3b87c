import { and, asc, eq, gte, lt, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Store } from './client.ts';
import { usage, virtualKeys } from './schema.ts';

/**
 * What a usage report can be grouped by. `model` is the model the caller asked for; `tag` is one
 * of the decision's tags (a request with two tags counts under each); `metadata.<name>` is one
 * field of the caller's `x-tollgate-metadata` header.
 */
export const DIMENSIONS = ['team', 'key', 'model', 'served_model', 'provider', 'user', 'endpoint', 'day', 'month', 'tag', 'metadata.<name>'] as const;
type FixedDimension = Exclude<(typeof DIMENSIONS)[number], 'metadata.<name>'>;
export type Dimension = FixedDimension | `metadata.${string}`;

/** A metadata field name as the header allows it (see policy/request-metadata.ts). */
const METADATA_FIELD = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Whether `d` names a dimension: a fixed one or `metadata.<name>` with a valid name. */
export function isDimension(d: string): d is Dimension {
  if (d.startsWith('metadata.')) return METADATA_FIELD.test(d.slice('metadata.'.length));
  return d !== 'metadata.<name>' && DIMENSIONS.some((x) => x === d);
}

export const METRICS = ['requests', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'reasoning_tokens', 'cost_micros', 'errors'] as const;
export type Metric = (typeof METRICS)[number];
export type Totals = Record<Metric, number>;

export interface UsageQuery {
  by: Dimension[];
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, exclusive; undefined = up to now. */
  until?: number;
  team?: string;
  /** sha-256 of one key (the ledger stores hashes, never keys). */
  keyHash?: string;
}

export interface UsageReportRow extends Totals {
  /** One value per grouping dimension (null where the ledger had none, e.g. anonymous calls). */
  group: Partial<Record<Dimension, string | null>>;
  /** With `by` containing `key`: the key's name as recorded in the ledger. */
  keyName?: string | null;
}

export interface UsageReport {
  query: UsageQuery;
  rows: UsageReportRow[];
  totals: Totals;
}

// Days and months are UTC; created_at is epoch milliseconds.
const GROUP_SQL: Record<FixedDimension, SQL> = {
  team: sql`${usage.team}`,
  // Database keys by id; config keys (no row in virtual_keys) by their configured name.
  key: sql`coalesce(${virtualKeys.id}, ${usage.keyName})`,
  model: sql`${usage.requestedModel}`,
  served_model: sql`${usage.servedModel}`,
  provider: sql`${usage.provider}`,
  user: sql`${usage.user}`,
  endpoint: sql`${usage.endpoint}`,
  day: sql`strftime('%Y-%m-%d', ${usage.createdAt} / 1000, 'unixepoch')`,
  month: sql`strftime('%Y-%m', ${usage.createdAt} / 1000, 'unixepoch')`,
  tag: sql`tag_each.value`,
};

function groupSql(d: Dimension): SQL {
  if (!d.startsWith('metadata.')) return GROUP_SQL[d as FixedDimension];
  const field = d.slice('metadata.'.length);
  // isDimension admitted only [A-Za-z0-9_.:-]: no quote can end the JSON path early.
  if (!METADATA_FIELD.test(field)) throw new Error(`invalid metadata field '${field}'`);
  return sql`json_extract(${usage.metadata}, ${sql.raw(`'$."${field}"'`)})`;
}

const sumOf = (col: SQLWrapper) => sql<number>`coalesce(sum(${col}), 0)`.mapWith(Number);

const METRIC_SQL: Record<Metric, SQL<number>> = {
  requests: sql<number>`count(*)`.mapWith(Number),
  input_tokens: sumOf(usage.inputTokens),
  output_tokens: sumOf(usage.outputTokens),
  cached_input_tokens: sumOf(usage.cachedInputTokens),
  reasoning_tokens: sumOf(usage.reasoningTokens),
  cost_micros: sumOf(usage.costMicros),
  // A client that hung up (`interrupted`) is not an error; everything else that is not `ok` is.
  errors: sql<number>`coalesce(sum(case when ${usage.outcome} not in ('ok', 'interrupted') then 1 else 0 end), 0)`.mapWith(Number),
};

/** Usage grouped by the chosen dimensions over [since, until), with totals. One parameterised GROUP BY. */
export async function usageReport(store: Store, q: UsageQuery): Promise<UsageReport> {
  const by = [...new Set(q.by)];
  const fields: Record<string, SQL | SQL.Aliased> = {};
  by.forEach((d, i) => (fields[`g${i}`] = groupSql(d)));
  if (by.includes('key')) fields.keyName = sql<string | null>`max(${usage.keyName})`;
  for (const m of METRICS) fields[m] = METRIC_SQL[m];

  const where = and(
    gte(usage.createdAt, q.since),
    q.until != null ? lt(usage.createdAt, q.until) : undefined,
    q.team != null ? eq(usage.team, q.team) : undefined,
    q.keyHash != null ? eq(usage.keyHash, q.keyHash) : undefined,
  );
  const groups = by.map(groupSql);
  let query = store.db.select(fields).from(usage).$dynamic();
  if (by.includes('key')) query = query.leftJoin(virtualKeys, eq(virtualKeys.hash, usage.keyHash));
  // One row per tag (untagged requests under null): a request with two tags counts under each.
  if (by.includes('tag')) query = query.leftJoin(sql`json_each(${usage.tags}) AS tag_each`, sql`1`);
  query = query.where(where);
  if (groups.length) query = query.groupBy(...groups).orderBy(...groups.map((g) => asc(g)));
  const raw = (await query) as Record<string, unknown>[];

  const rows: UsageReportRow[] = raw
    .map((r) => {
      const group: UsageReportRow['group'] = {};
      by.forEach((d, i) => (group[d] = r[`g${i}`] == null ? null : String(r[`g${i}`])));
      const row: UsageReportRow = { group, ...metricsOf(r) };
      if (by.includes('key')) row.keyName = r.keyName == null ? null : String(r.keyName);
      return row;
    })
    // Without grouping, SQL returns one all-zero row even for an empty window.
    .filter((r) => by.length > 0 || r.requests > 0);
  // By tag, rows overlap (a request under each of its tags): the totals count each request once.
  const totals = by.includes('tag') ? (await usageReport(store, { ...q, by: [] })).totals : zeroTotals();
  if (!by.includes('tag')) for (const r of rows) for (const m of METRICS) totals[m] += r[m];
  return { query: { ...q, by }, rows, totals };
}

function metricsOf(r: Record<string, unknown>): Totals {
  const t = zeroTotals();
  for (const m of METRICS) t[m] = Number(r[m] ?? 0);
  return t;
}

export function zeroTotals(): Totals {
  return { requests: 0, input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, reasoning_tokens: 0, cost_micros: 0, errors: 0 };
}

/** Integer micro-dollars → a USD string with exactly 6 decimals (no float rounding). */
export function formatUsd(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = BigInt(Math.abs(Math.trunc(micros)));
  return `${sign}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`;
}

/** The report as flat records: grouping columns, metrics, and `cost_usd`. The totals row is last (and alone without grouping). */
export function reportRecords(report: UsageReport): Record<string, string | number | null>[] {
  const by = report.query.by;
  const flat = (group: UsageReportRow['group'], t: Totals, keyName?: string | null) => {
    const rec: Record<string, string | number | null> = {};
    for (const d of by) {
      rec[d] = group[d] ?? null;
      if (d === 'key') rec.key_name = keyName ?? null;
    }
    for (const m of METRICS) {
      rec[m] = t[m];
      if (m === 'cost_micros') rec.cost_usd = formatUsd(t.cost_micros);
    }
    return rec;
  };
  // Without grouping the one row is the totals: print it once.
  if (!by.length) return [flat({}, report.totals)];
  return [...report.rows.map((r) => flat(r.group, r, r.keyName)), flat({ [by[0]!]: 'TOTAL' }, report.totals)];
}

/**
 * RFC 4180 CSV of `reportRecords`, header first, totals row last. Text cells that a spreadsheet
 * would run as a formula (model names come from callers) get a leading `'`.
 */
export function reportCsv(report: UsageReport): string {
  const recs = reportRecords(report);
  const cols = Object.keys(recs[0]!);
  const cell = (v: string | number | null) => {
    const s = v == null ? '' : typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...recs.map((r) => cols.map((c) => cell(r[c] ?? null)).join(','))].join('\r\n') + '\r\n';
}
