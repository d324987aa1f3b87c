/// <reference lib="dom" />
import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrf } from './api.ts';
import { AuditPage } from './audit.ts';
import { KeysPage } from './keys.ts';
import { ProvidersPage } from './providers.ts';
import { RequestsPage } from './requests.ts';
import { SpendPage } from './spend.ts';

const PAGES = {
  spend: ['Spend', SpendPage],
  requests: ['Requests', RequestsPage],
  providers: ['Providers', ProvidersPage],
  keys: ['Keys & teams', KeysPage],
  audit: ['Audit log', AuditPage],
} as const;
type Page = keyof typeof PAGES;

const pageOf = (hash: string): Page => (hash.slice(1) in PAGES ? (hash.slice(1) as Page) : 'spend');

function Login({ onIn }: { onIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const s = await api<{ csrf: string }>('POST', '/ui/login', { key });
      setCsrf(s.csrf);
      onIn();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return html`<form class="login card" onSubmit=${submit}>
    <h1>Tollgate</h1>
    <label>Master key <input type="password" name="key" autocomplete="current-password" value=${key} onInput=${(e: Event) => setKey((e.target as HTMLInputElement).value)} autofocus /></label>
    <button type="submit">Log in</button>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
  </form>`;
}

function App() {
  const [state, setState] = useState<'loading' | 'out' | 'in'>('loading');
  const [page, setPage] = useState<Page>(pageOf(location.hash));
  const check = () =>
    api<{ csrf: string }>('GET', '/ui/session').then(
      (s) => (setCsrf(s.csrf), setState('in')),
      () => setState('out'),
    );
  useEffect(() => {
    void check();
    const onHash = () => setPage(pageOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  if (state === 'loading') return html`<p class="muted">Loading…</p>`;
  if (state === 'out') return html`<${Login} onIn=${() => setState('in')} />`;
  const [, Current] = PAGES[page];
  const logout = () => api('POST', '/ui/logout').finally(() => setState('out'));
  return html`<div>
    <header>
      <b class="brand">Tollgate</b>
      <nav>${Object.entries(PAGES).map(([id, [label]]) => html`<a href=${`#${id}`} class=${id === page ? 'active' : ''}>${label}</a>`)}</nav>
      <button class="logout" onClick=${logout}>Log out</button>
    </header>
    <main><${Current} /></main>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app')!);
