/**
 * The chart: requests/s and p99 latency per contender, for each main case, as an SVG drawn
 * here and turned into a PNG by rsvg-convert (apt librsvg2-bin). Log scales: the contenders
 * span three orders of magnitude.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './lib/install.ts';
import type { ContenderMedians, RunData } from './report.ts';

const COLORS: Record<string, string> = {
  direct: '#9e9e9e',
  'bun-passthrough': '#5c6bc0',
  nginx: '#26a69a',
  tollgate: '#e65100',
  'tollgate-minimal': '#ffb74d',
  portkey: '#8e24aa',
  'portkey-node': '#ce93d8',
  litellm: '#2e7d32',
};

const W = 1600;
const H = 1040;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function label(v: number, unit: 'rps' | 'ms'): string {
  if (unit === 'rps') return v >= 10000 ? `${(v / 1000).toFixed(0)}k` : v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0);
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
}

function panel(x0: number, y0: number, w: number, h: number, title: string, ids: string[], metric: 'rps' | 'p99_ms', agg: Record<string, ContenderMedians>, names: string[]): string {
  const vals = names.flatMap((n) => ids.map((id) => agg[n]?.cases[id]?.[metric])).filter((v): v is number => typeof v === 'number' && v > 0);
  if (!vals.length) return '';
  const lo = Math.floor(Math.log10(Math.min(...vals)) - 0.3);
  const hi = Math.ceil(Math.log10(Math.max(...vals)) + 0.15);
  const left = x0 + 70;
  const top = y0 + 40;
  const pw = w - 90;
  const ph = h - 100;
  const y = (v: number) => top + ph - ((Math.log10(v) - lo) / (hi - lo)) * ph;
  const out: string[] = [`<text x="${x0 + w / 2}" y="${y0 + 22}" text-anchor="middle" font-size="18" font-weight="bold">${esc(title)}</text>`];
  for (let e = lo; e <= hi; e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (Math.log10(v) > hi) continue;
      const yy = y(v);
      out.push(`<line x1="${left}" x2="${left + pw}" y1="${yy}" y2="${yy}" stroke="${m === 1 ? '#bbb' : '#e6e6e6'}" stroke-width="1"/>`);
      out.push(`<text x="${left - 6}" y="${yy + 4}" text-anchor="end" font-size="${m === 1 ? 13 : 11}" fill="${m === 1 ? '#333' : '#888'}">${label(v, metric === 'rps' ? 'rps' : 'ms')}</text>`);
    }
  }
  out.push(`<text x="${x0 + 16}" y="${top + ph / 2}" font-size="13" transform="rotate(-90 ${x0 + 16} ${top + ph / 2})" text-anchor="middle">${metric === 'rps' ? 'requests/s (log)' : 'p99 ms (log, lower is better)'}</text>`);
  const gw = pw / ids.length;
  const bw = Math.min(34, (gw - 30) / names.length);
  ids.forEach((id, gi) => {
    const gx = left + gi * gw + (gw - bw * names.length) / 2;
    names.forEach((n, i) => {
      const v = agg[n]?.cases[id]?.[metric];
      const bx = gx + i * bw;
      if (typeof v !== 'number' || v <= 0) {
        const tx = bx + bw / 2 + 4;
        out.push(`<text x="${tx}" y="${top + ph - 4}" font-size="11" fill="#888" transform="rotate(-90 ${tx} ${top + ph - 4})">n/a</text>`);
        return;
      }
      const by = y(v);
      out.push(`<rect x="${bx + 1}" y="${by}" width="${bw - 2}" height="${top + ph - by}" fill="${COLORS[n] ?? '#777'}"${n === 'tollgate' ? ' stroke="#000" stroke-width="1.5"' : ''}/>`);
      const tx = bx + bw / 2 + 4;
      out.push(`<text x="${tx}" y="${by - 4}" font-size="11" transform="rotate(-90 ${tx} ${by - 4})">${label(v, metric === 'rps' ? 'rps' : 'ms')}</text>`);
    });
    out.push(`<text x="${left + gi * gw + gw / 2}" y="${top + ph + 22}" text-anchor="middle" font-size="14">c = ${id.replace(/^\w+-c/, '')}</text>`);
  });
  out.push(`<line x1="${left}" x2="${left + pw}" y1="${top + ph}" y2="${top + ph}" stroke="#333"/>`);
  return out.join('\n');
}

export function chartSvg(agg: Record<string, ContenderMedians>, names: string[], data: RunData): string {
  const json = ['json-c1', 'json-c10', 'json-c64'];
  const stream = ['stream-c1', 'stream-c10', 'stream-c64'];
  const legend = names
    .map((n, i) => {
      const x = 40 + i * 190;
      return `<rect x="${x}" y="62" width="16" height="16" fill="${COLORS[n] ?? '#777'}"${n === 'tollgate' ? ' stroke="#000" stroke-width="1.5"' : ''}/><text x="${x + 22}" y="75" font-size="14"${n === 'tollgate' ? ' font-weight="bold"' : ''}>${esc(n)}</text>`;
    })
    .join('\n');
  const e = data.env;
  const ph = (H - 120) / 2;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="40" y="34" font-size="22" font-weight="bold">Tollgate and other gateways on one mock upstream (instant), medians of ${data.method.trials} trials</text>
<text x="${W - 40}" y="34" font-size="13" text-anchor="end" fill="#555">${esc(`${e.date.slice(0, 10)} · ${e.nproc} cores ${e.cpu} · Bun ${e.bun} · commit ${e.git.commit}`)}</text>
${legend}
${panel(0, 90, W / 2, ph, 'requests/s, no streaming', json, 'rps', agg, names)}
${panel(W / 2, 90, W / 2, ph, 'requests/s, streaming (35 events)', stream, 'rps', agg, names)}
${panel(0, 90 + ph, W / 2, ph, 'p99 latency, no streaming', json, 'p99_ms', agg, names)}
${panel(W / 2, 90 + ph, W / 2, ph, 'p99 latency (whole stream), streaming', stream, 'p99_ms', agg, names)}
<text x="40" y="${H - 14}" font-size="13" fill="#555">Log scales. Closed loop, c connections; contender, mock upstream and load generator share the ${e.nproc} cores. n/a: mode not measured (see latest.md). Full tables, TTFT and memory: bench/results/latest.md</text>
</svg>
`;
}

/** Writes latest.svg, and latest.png when rsvg-convert is there. */
export async function renderChart(agg: Record<string, ContenderMedians>, names: string[], data: RunData, dir: string, rsvg: string | undefined): Promise<void> {
  const svg = join(dir, 'latest.svg');
  writeFileSync(svg, chartSvg(agg, names, data));
  if (!rsvg) {
    console.log('rsvg-convert unavailable: wrote latest.svg only');
    return;
  }
  const r = await run([rsvg, '-f', 'png', '-o', join(dir, 'latest.png'), svg], { timeoutMs: 60_000 });
  if (r.code !== 0) console.log(`rsvg-convert failed: ${r.out.slice(0, 200)}`);
}
