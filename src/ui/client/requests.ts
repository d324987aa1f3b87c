/// <reference lib="dom" />
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, qs, usd } from './api.ts';

interface Req {
  request_id: string;
  created_at: string;
  endpoint: string;
  key_name: string | null;
  team: string | null;
  model: string;
  provider: string | null;
  served_model: string | null;
  attempts: number;
  status: number;
  outcome: string;
  stream: boolean;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  reasoning_tokens: number;
  cost_micros: number;
  usage_source: string | null;
  latency_ms: number;
  ttft_ms: number | null;
  decision_id: string | null;
  policy_revision: string | null;
  reason: string | null;
  redacted: string[];
  dropped_params: string[];
  decision?: { decision_id: string; allowed: boolean; http_status: number | null; policy_revision: string; reasons: string[]; failure: string | null; eval_us: number; result: unknown } | null;
  capture?: { request: string; response: string | null; truncated: boolean; redacted: string[]; expires_at: string | null } | null;
}

const FIELDS = [
  ['request_id', 'Request id'],
  ['decision_id', 'Decision id'],
  ['outcome', 'Outcome'],
  ['model', 'Model'],
  ['team', 'Team'],
] as const;

/** Outcomes the ledger records: ok, a client that left, or the error's kind (a policy denial is `forbidden`). */
const OUTCOMES = ['ok', 'forbidden', 'rate_limited', 'budget_exceeded', 'invalid_request', 'policy_error', 'upstream_error', 'upstream_invalid', 'upstream_timeout', 'unavailable', 'interrupted', 'upstream_cut'];

const pretty = (text: string | null) => {
  if (text == null) return '(none)';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

function Detail({ id, onClose }: { id: string; onClose: () => void }) {
  const [r, setR] = useState<Req | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<Req>('GET', `/admin/requests/${encodeURIComponent(id)}`).then(setR, (e: Error) => setError(e.message));
  }, [id]);
  if (error) return html`<section class="card"><p class="error">${error}</p></section>`;
  if (!r) return html`<section class="card"><p class="muted">Loading…</p></section>`;
  const facts: [string, unknown][] = [
    ['Request id', r.request_id],
    ['Time', r.created_at],
    ['Endpoint', r.endpoint],
    ['Key / team', `${r.key_name ?? '-'} / ${r.team ?? '-'}`],
    ['Model', `${r.model} → ${r.provider ?? '-'} ${r.served_model ?? ''}`],
    ['Outcome', `${r.outcome} (HTTP ${r.status})`],
    ['Attempts', r.attempts],
    ['Latency', `${r.latency_ms} ms${r.ttft_ms != null ? ` (first token ${r.ttft_ms} ms)` : ''}`],
    ['Tokens', `${r.input_tokens} in (${r.cached_input_tokens} cached) / ${r.output_tokens} out (${r.reasoning_tokens} reasoning), ${r.usage_source ?? ''}`],
    ['Cost', usd(r.cost_micros)],
    ['Decision id', r.decision_id ?? '-'],
    ['Policy revision', r.policy_revision ?? '-'],
    ['Reason', r.reason ?? '-'],
    ['Redacted', r.redacted.join(', ') || '-'],
    ['Dropped params', r.dropped_params.join(', ') || '-'],
  ];
  return html`<section class="card detail" data-testid="request-detail">
    <div class="toolbar"><h3>Request ${r.request_id}</h3><button onClick=${onClose}>Close</button></div>
    <dl>${facts.map(([k, v]) => html`<dt>${k}</dt><dd data-fact=${k}>${String(v)}</dd>`)}</dl>
    ${r.decision
      ? html`<h4>Policy decision</h4>
          <p data-testid="decision">${r.decision.allowed ? html`<span class="pill ok">allowed</span>` : html`<span class="pill bad">denied${r.decision.http_status ? ` ${r.decision.http_status}` : ''}</span>`}
            ${r.decision.failure ? html` <span class="warn">failure: ${r.decision.failure}</span>` : null}
            <span class="muted"> · revision ${r.decision.policy_revision} · ${r.decision.eval_us} µs</span></p>
          ${r.decision.reasons.length ? html`<ul data-testid="decision-reasons">${r.decision.reasons.map((x) => html`<li>${x}</li>`)}</ul>` : html`<p class="muted">The decision gave no reasons.</p>`}
          <details><summary>Decision document</summary><pre>${JSON.stringify(r.decision.result, null, 2)}</pre></details>`
      : html`<p class="muted">No decision in the decision log for this request (not sampled, expired, or no policy ran).</p>`}
    ${r.capture
      ? html`<h4>Captured prompt ${r.capture.truncated ? '(truncated)' : ''}</h4>
          <div class="grid2"><div><h5>Request</h5><pre data-testid="capture-request">${pretty(r.capture.request)}</pre></div><div><h5>Response</h5><pre>${pretty(r.capture.response)}</pre></div></div>`
      : html`<p class="muted">No prompt captured (the policy decision did not set log_prompts).</p>`}
  </section>`;
}

export function RequestsPage() {
  const [form, setForm] = useState<Record<string, string>>({});
  const [rows, setRows] = useState<Req[] | null>(null);
  const [shown, setShown] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState('');
  const search = (e?: Event) => {
    e?.preventDefault();
    setError('');
    const query = qs({ ...form, limit: 100 });
    api<{ data: Req[] }>('GET', `/admin/requests?${query}`).then(
      (r) => (setRows(r.data), setShown(query)),
      (err: Error) => setError(err.message),
    );
  };
  useEffect(() => search(), []);
  return html`<div>
    <h2>Requests</h2>
    <form class="card search" onSubmit=${search}>
      <datalist id="outcomes">${OUTCOMES.map((o) => html`<option value=${o} />`)}</datalist>
      ${FIELDS.map(([k, label]) => html`<label>${label}<input name=${k} list=${k === 'outcome' ? 'outcomes' : undefined} value=${form[k] ?? ''} onInput=${(e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value.trim() })} /></label>`)}
      <button type="submit">Search</button>
    </form>
    ${error ? html`<p class="error">${error}</p>` : null}
    ${open ? html`<${Detail} id=${open} onClose=${() => setOpen(null)} />` : null}
    <section class="card">
      <table data-testid="requests" data-query=${shown}>
        <thead><tr><th>Time</th><th>Request</th><th>Team</th><th>Model</th><th>Outcome</th><th class="num">Latency</th><th class="num">Tokens</th><th class="num">Cost</th></tr></thead>
        <tbody>
          ${(rows ?? []).map(
            (r) => html`<tr class="click" data-request=${r.request_id} onClick=${() => setOpen(r.request_id)}>
              <td>${r.created_at.slice(5, 19).replace('T', ' ')}</td>
              <td class="mono">${r.request_id}</td>
              <td>${r.team ?? '-'}</td>
              <td>${r.model}</td>
              <td><span class=${`pill ${r.outcome === 'ok' ? 'ok' : 'bad'}`}>${r.outcome}</span></td>
              <td class="num">${r.latency_ms} ms</td>
              <td class="num">${r.input_tokens}/${r.output_tokens}</td>
              <td class="num">${usd(r.cost_micros)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${rows && !rows.length ? html`<p class="muted">No request matches.</p>` : null}
    </section>
  </div>`;
}
