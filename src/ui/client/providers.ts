/// <reference lib="dom" />
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';

interface Provider {
  name: string;
  type: string;
  healthy: boolean;
  error_rate: number;
  p50_ms: number | null;
  deployments: { model: string; breaker: string; inflight: number; error_rate: number }[];
  last_hour: { requests: number; errors: number; avg_latency_ms: number | null; max_latency_ms: number | null };
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

/** Provider health, polled every few seconds while the page is open. */
export function ProvidersPage({ everyMs = 2_000 }: { everyMs?: number }) {
  const [data, setData] = useState<{ data: Provider[]; window_ms: number } | null>(null);
  const [at, setAt] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    const load = () =>
      api<{ data: Provider[]; window_ms: number }>('GET', '/admin/providers').then(
        (d) => (setData(d), setAt(new Date().toLocaleTimeString()), setError('')),
        (e: Error) => setError(e.message),
      );
    load();
    const t = setInterval(load, everyMs);
    return () => clearInterval(t);
  }, []);
  return html`<div>
    <div class="toolbar"><h2>Providers</h2><span class="muted">live · updated ${at}${data ? ` · window ${Math.round(data.window_ms / 1000)} s` : ''}</span></div>
    ${error ? html`<p class="error">${error}</p>` : null}
    <div class="grid">
      ${(data?.data ?? []).map(
        (p) => html`<section class="card" data-provider=${p.name}>
          <h3><span class=${`dot ${p.healthy ? 'ok' : 'bad'}`}></span>${p.name} <span class="muted">${p.type}</span></h3>
          <p>${p.healthy ? 'healthy' : 'unhealthy'} · error rate <b>${pct(p.error_rate)}</b> · p50 first byte <b>${p.p50_ms ?? '-'}</b> ms</p>
          <p class="muted" data-testid="last-hour">last hour (ledger): ${p.last_hour.requests} requests, ${p.last_hour.errors} errors${p.last_hour.avg_latency_ms != null ? `, latency avg ${p.last_hour.avg_latency_ms} ms, max ${p.last_hour.max_latency_ms} ms` : ''}</p>
          ${p.deployments.length
            ? html`<table><thead><tr><th>Model</th><th>Breaker</th><th class="num">In flight</th><th class="num">Errors</th></tr></thead><tbody>
                ${p.deployments.map((d) => html`<tr><td>${d.model}</td><td><span class=${`pill ${d.breaker === 'closed' ? 'ok' : 'bad'}`}>${d.breaker}</span></td><td class="num">${d.inflight}</td><td class="num">${pct(d.error_rate)}</td></tr>`)}
              </tbody></table>`
            : html`<p class="muted">No traffic yet.</p>`}
        </section>`,
      )}
    </div>
  </div>`;
}
