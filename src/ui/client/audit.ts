/// <reference lib="dom" />
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';

interface Entry {
  seq: number;
  at: string;
  actor: string;
  source: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
}

/** The audit log (GET /admin/audit), newest first. */
export function AuditPage() {
  const [since, setSince] = useState('7d');
  const [rows, setRows] = useState<Entry[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<{ data: Entry[] }>('GET', `/admin/audit?since=${since}&limit=500`).then(
      (r) => (setRows([...r.data].reverse()), setError('')),
      (e: Error) => setError(e.message),
    );
  }, [since]);
  return html`<div>
    <div class="toolbar">
      <h2>Audit log</h2>
      <label>Window <select value=${since} onChange=${(e: Event) => setSince((e.target as HTMLSelectElement).value)}>
        ${['1d', '7d', '30d', '90d'].map((s) => html`<option value=${s}>${s}</option>`)}
      </select></label>
    </div>
    ${error ? html`<p class="error">${error}</p>` : null}
    <section class="card">
      <table data-testid="audit">
        <thead><tr><th>Time</th><th>Who</th><th>From</th><th>Action</th><th>Target</th><th>Detail</th></tr></thead>
        <tbody>
          ${(rows ?? []).map(
            (r) => html`<tr data-action=${r.action}>
              <td>${r.at.slice(0, 19).replace('T', ' ')}</td><td class="mono">${r.actor}</td><td>${r.source}</td>
              <td><b>${r.action}</b></td><td class="mono">${r.target ?? ''}</td>
              <td class="mono">${r.detail ? JSON.stringify(r.detail) : ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${rows && !rows.length ? html`<p class="muted">Nothing in this window.</p>` : null}
    </section>
  </div>`;
}
