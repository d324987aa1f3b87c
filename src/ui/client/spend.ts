/// <reference lib="dom" />
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, usd } from './api.ts';
import { BarChart, BudgetBar } from './chart.ts';

interface UsageRow {
  [dim: string]: string | number | null;
  requests: number;
  cost_micros: number;
  input_tokens: number;
  output_tokens: number;
  errors: number;
}
interface Usage {
  rows: UsageRow[];
  totals: UsageRow;
}
interface Budget {
  scope: string;
  id: string;
  name: string;
  period: string;
  period_end: string;
  limit_micros: number;
  spent_micros: number;
  forecast_micros: number;
}

const DIMS = [
  ['team', 'Team'],
  ['key', 'Key'],
  ['model', 'Model'],
  ['tag', 'Tag'],
] as const;

/** One bar per UTC day of the window, zero where the ledger has none, so gaps show as gaps. */
function everyDay(rows: UsageRow[], since: string): { label: string; value: number }[] {
  const byDay = new Map(rows.map((r) => [String(r.day), r.cost_micros]));
  const days = Number(since.replace('d', ''));
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  return Array.from({ length: days }, (_, i) => {
    const label = new Date(today - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10);
    return { label, value: byDay.get(label) ?? 0 };
  });
}

function Table({ dim, label, rows }: { dim: string; label: string; rows: UsageRow[] }) {
  const sorted = [...rows].sort((a, b) => b.cost_micros - a.cost_micros);
  return html`<section class="card" data-testid=${`spend-by-${dim}`}>
    <h3>By ${label.toLowerCase()}</h3>
    <table>
      <thead><tr><th>${label}</th><th class="num">Requests</th><th class="num">Tokens in/out</th><th class="num">Errors</th><th class="num">Cost</th></tr></thead>
      <tbody>
        ${sorted.map(
          (r) => html`<tr data-row=${String(r[dim] ?? '')}>
            <td>${dim === 'key' ? html`<b>${r.key_name ?? r.key}</b> <span class="muted mono">${r.key !== r.key_name ? r.key : ''}</span>` : (r[dim] ?? html`<span class="muted">(none)</span>`)}</td>
            <td class="num">${r.requests}</td>
            <td class="num">${r.input_tokens} / ${r.output_tokens}</td>
            <td class="num">${r.errors}</td>
            <td class="num cost" data-micros=${r.cost_micros}>${usd(r.cost_micros)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

export function SpendPage() {
  const [since, setSince] = useState('30d');
  const [data, setData] = useState<Record<string, Usage> | null>(null);
  const [budgets, setBudgets] = useState<Budget[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    setError('');
    Promise.all([...DIMS.map(([d]) => d), 'day'].map((d) => api<Usage>('GET', `/admin/usage?by=${d}&since=${since}`).then((u) => [d, u] as const)))
      .then((pairs) => setData(Object.fromEntries(pairs)))
      .catch((e: Error) => setError(e.message));
    api<{ data: Budget[] }>('GET', '/admin/budgets')
      .then((b) => setBudgets(b.data))
      .catch((e: Error) => setError(e.message));
  }, [since]);
  return html`<div>
    <div class="toolbar">
      <h2>Spend</h2>
      <label>Window <select value=${since} onChange=${(e: Event) => setSince((e.target as HTMLSelectElement).value)}>
        ${['1d', '7d', '30d', '90d'].map((s) => html`<option value=${s}>${s}</option>`)}
      </select></label>
      ${data ? html`<span class="total">Total <b data-testid="spend-total">${usd(data.day!.totals.cost_micros)}</b> · ${data.day!.totals.requests} requests</span>` : null}
    </div>
    ${error ? html`<p class="error">${error}</p>` : null}
    <section class="card"><h3>By day (UTC)</h3>${data ? html`<${BarChart} data=${everyDay(data.day!.rows, since)} format=${usd} />` : html`<p class="muted">Loading…</p>`}</section>
    <section class="card" data-testid="budgets">
      <h3>Budgets this period</h3>
      ${budgets.length
        ? html`<table>
            <thead><tr><th>Budget</th><th>Use</th><th class="num">Spent</th><th class="num">Forecast</th><th class="num">Limit</th><th>Resets</th></tr></thead>
            <tbody>
              ${budgets.map(
                (b) => html`<tr data-budget=${`${b.scope}:${b.id}`}>
                  <td>${b.scope} <b>${b.name}</b> <span class="muted">/${b.period}</span></td>
                  <td class="wide"><${BudgetBar} spent=${b.spent_micros} forecast=${b.forecast_micros} limit=${b.limit_micros} /></td>
                  <td class="num spent" data-micros=${b.spent_micros}>${usd(b.spent_micros)}</td>
                  <td class=${`num ${b.forecast_micros > b.limit_micros ? 'warn' : ''}`}>${usd(b.forecast_micros)}</td>
                  <td class="num">${usd(b.limit_micros)}</td>
                  <td>${b.period_end.slice(0, 10)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted">No team or key has a budget.</p>`}
    </section>
    <div class="grid">${data ? DIMS.map(([d, label]) => html`<${Table} dim=${d} label=${label} rows=${data[d]!.rows} />`) : null}</div>
  </div>`;
}
