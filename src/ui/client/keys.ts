/// <reference lib="dom" />
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';

interface Budget {
  usd: number;
  period: string;
}
interface Key {
  id: string;
  prefix: string;
  name: string;
  team: string | null;
  budget: Budget | null;
  rpm: number | null;
  tpm: number | null;
  status: string;
  expires_at: string | null;
}
interface Team {
  id: string;
  name: string;
  budget: Budget | null;
  rpm: number | null;
  tpm: number | null;
}

const budgetText = (b: Budget | null) => (b ? `$${b.usd}/${b.period}` : '-');
const value = (e: Event) => (e.target as HTMLInputElement).value;
/** Form fields → an admin API body: empty fields are left out; numbers are numbers. */
function bodyOf(form: Record<string, string>, numeric: string[] = ['rpm', 'tpm']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(form)) if (v.trim()) out[k] = numeric.includes(k) ? Number(v) : v.trim();
  return out;
}

function Limits({ what, onSave }: { what: Key | Team; onSave: (b: Record<string, unknown>) => Promise<void> }) {
  const [f, setF] = useState({ budget: what.budget ? `${what.budget.usd}/${what.budget.period}` : '', rpm: String(what.rpm ?? ''), tpm: String(what.tpm ?? '') });
  const save = (e: Event) => {
    e.preventDefault();
    // A cleared field clears the limit.
    void onSave({ budget: f.budget.trim() || null, rpm: f.rpm.trim() ? Number(f.rpm) : null, tpm: f.tpm.trim() ? Number(f.tpm) : null });
  };
  return html`<form class="inline" onSubmit=${save}>
    <input aria-label="budget" placeholder="50/month" value=${f.budget} onInput=${(e: Event) => setF({ ...f, budget: value(e) })} />
    <input aria-label="rpm" placeholder="rpm" size="6" value=${f.rpm} onInput=${(e: Event) => setF({ ...f, rpm: value(e) })} />
    <input aria-label="tpm" placeholder="tpm" size="8" value=${f.tpm} onInput=${(e: Event) => setF({ ...f, tpm: value(e) })} />
    <button type="submit">Save</button>
  </form>`;
}

export function KeysPage() {
  const [keys, setKeys] = useState<Key[]>([]);
  const [teams, setTeams] = useState<Team[]>([]);
  const [editing, setEditing] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const [newKey, setNewKey] = useState<Record<string, string>>({});
  const [newTeam, setNewTeam] = useState<Record<string, string>>({});
  const load = () =>
    Promise.all([api<{ data: Key[] }>('GET', '/admin/keys?include_revoked=true'), api<{ data: Team[] }>('GET', '/admin/teams')]).then(
      ([k, t]) => (setKeys(k.data), setTeams(t.data)),
      (e: Error) => setMessage({ error: e.message }),
    );
  useEffect(() => void load(), []);
  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      setMessage({ ok: what });
      setEditing(null);
      await load();
    } catch (e) {
      setMessage({ error: (e as Error).message });
    }
  };
  const issued = (r: { key: string; record: Key }) => setSecret({ name: r.record.name, key: r.key });
  return html`<div>
    <h2>Keys and teams</h2>
    ${message.error ? html`<p class="error" role="alert">${message.error}</p>` : message.ok ? html`<p class="ok">${message.ok}</p>` : null}
    ${secret ? html`<p class="card secret" data-testid="new-key">Key <b>${secret.name}</b>: <code>${secret.key}</code> — shown once; copy it now. <button onClick=${() => setSecret(null)}>Done</button></p>` : null}
    <section class="card">
      <h3>Keys</h3>
      <form class="inline" onSubmit=${(e: Event) => (e.preventDefault(), act('Key created', async () => (issued(await api('POST', '/admin/keys', bodyOf(newKey))), setNewKey({}))))}>
        <input name="name" placeholder="name" required value=${newKey.name ?? ''} onInput=${(e: Event) => setNewKey({ ...newKey, name: value(e) })} />
        <input name="team" placeholder="team" value=${newKey.team ?? ''} onInput=${(e: Event) => setNewKey({ ...newKey, team: value(e) })} />
        <input name="budget" placeholder="budget 50/month" value=${newKey.budget ?? ''} onInput=${(e: Event) => setNewKey({ ...newKey, budget: value(e) })} />
        <button type="submit">Create key</button>
      </form>
      <table data-testid="keys">
        <thead><tr><th>Name</th><th>Prefix</th><th>Team</th><th>Budget</th><th>rpm / tpm</th><th>Status</th><th></th></tr></thead>
        <tbody>
          ${keys.map(
            (k) => html`<tr data-key=${k.name}>
              <td>${k.name}</td><td class="mono">${k.prefix}…</td><td>${k.team ?? '-'}</td>
              <td>${editing === k.id ? html`<${Limits} what=${k} onSave=${(b: Record<string, unknown>) => act('Key updated', () => api('PATCH', `/admin/keys/${k.id}`, b))} />` : budgetText(k.budget)}</td>
              <td>${k.rpm ?? '-'} / ${k.tpm ?? '-'}</td>
              <td><span class=${`pill ${k.status === 'active' ? 'ok' : k.status === 'rotating' ? '' : 'bad'}`} data-status>${k.status}</span>${k.status === 'rotating' && k.expires_at ? html` <span class="muted">until ${k.expires_at.slice(0, 16).replace('T', ' ')} UTC</span>` : null}</td>
              <td class="actions">${k.status === 'revoked' || k.status === 'expired'
                ? null
                : html`<button onClick=${() => setEditing(editing === k.id ? null : k.id)}>Edit</button>
                    ${k.status === 'rotating' ? null : html`<button onClick=${() => act('Key rotated', async () => issued(await api('POST', `/admin/keys/${k.id}/rotate`, {})))}>Rotate</button>`}
                    <button class="danger" onClick=${() => confirm(`Revoke key ${k.name}? Requests with it will be refused.`) && act(`Key ${k.name} revoked`, () => api('POST', `/admin/keys/${k.id}/revoke`))}>Revoke</button>`}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section class="card">
      <h3>Teams</h3>
      <form class="inline" onSubmit=${(e: Event) => (e.preventDefault(), act('Team created', async () => (await api('POST', '/admin/teams', bodyOf(newTeam)), setNewTeam({}))))}>
        <input name="id" placeholder="team id" required value=${newTeam.id ?? ''} onInput=${(e: Event) => setNewTeam({ ...newTeam, id: value(e) })} />
        <input name="budget" placeholder="budget 500/month" value=${newTeam.budget ?? ''} onInput=${(e: Event) => setNewTeam({ ...newTeam, budget: value(e) })} />
        <button type="submit">Create team</button>
      </form>
      <table data-testid="teams">
        <thead><tr><th>Team</th><th>Budget</th><th>rpm / tpm</th><th></th></tr></thead>
        <tbody>
          ${teams.map(
            (t) => html`<tr data-team=${t.id}>
              <td>${t.id}${t.name !== t.id ? html` <span class="muted">${t.name}</span>` : null}</td>
              <td>${editing === t.id ? html`<${Limits} what=${t} onSave=${(b: Record<string, unknown>) => act('Team updated', () => api('PATCH', `/admin/teams/${t.id}`, b))} />` : budgetText(t.budget)}</td>
              <td>${t.rpm ?? '-'} / ${t.tpm ?? '-'}</td>
              <td><button onClick=${() => setEditing(editing === t.id ? null : t.id)}>Edit</button></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>
  </div>`;
}
