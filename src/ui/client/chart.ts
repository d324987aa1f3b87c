/// <reference lib="dom" />
import { html } from 'htm/preact';

/** A bar chart drawn as SVG (no library): one bar per label, the value on hover. */
export function BarChart({ data, format }: { data: { label: string; value: number }[]; format: (v: number) => string }) {
  if (!data.length) return html`<p class="muted">No data in this window.</p>`;
  const w = 720;
  const h = 180;
  const pad = 28;
  const max = Math.max(...data.map((d) => d.value), 1);
  // A few days draw as narrow bars on the left, not one bar across the whole chart.
  const bw = Math.min((w - pad) / data.length, 40);
  return html`<svg class="chart" viewBox="0 0 ${w} ${h + 24}" preserveAspectRatio="xMinYMin meet" role="img" aria-label="spend by day">
    <line x1=${pad} y1=${h} x2=${w} y2=${h} class="axis" />
    <text x=${pad} y="10" class="tick">${format(max)}</text>
    ${data.map((d, i) => {
      const bh = Math.max((d.value / max) * (h - 16), d.value > 0 ? 1 : 0);
      const x = pad + i * bw + 2;
      return html`<g>
        <rect x=${x} y=${h - bh} width=${Math.max(bw - 4, 1)} height=${bh} class="bar"><title>${d.label}: ${format(d.value)}</title></rect>
        ${data.length <= 16 || i % Math.ceil(data.length / 8) === 0 ? html`<text x=${x} y=${h + 16} class="tick">${d.label.slice(5)}</text>` : null}
      </g>`;
    })}
  </svg>`;
}

/** A budget's use as a bar, with the forecast to the end of the period as a marker. */
export function BudgetBar({ spent, forecast, limit }: { spent: number; forecast: number; limit: number }) {
  const scale = Math.max(limit, forecast, 1);
  const pct = (v: number) => `${Math.min((v / scale) * 100, 100).toFixed(1)}%`;
  const over = forecast > limit;
  return html`<div class="budget">
    <div class=${`fill ${spent >= limit ? 'over' : ''}`} style=${{ width: pct(spent) }}></div>
    <div class=${`forecast ${over ? 'over' : ''}`} style=${{ left: pct(forecast) }} title="forecast"></div>
    <div class="limit" style=${{ left: pct(limit) }} title="limit"></div>
  </div>`;
}
