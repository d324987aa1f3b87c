import type { Firing } from '../store/alert-records.ts';

/** The generic JSON payload: the firing's facts, with a one-line summary. */
export function jsonPayload(f: Firing, summary: string): Record<string, unknown> {
  return { type: 'tollgate.alert', id: f.id, kind: f.kind, subject: f.subject, fired_at: new Date(f.firedAt).toISOString(), summary, ...f.detail };
}

const TITLE: Record<Firing['kind'], string> = {
  budget_threshold: ':money_with_wings: Budget alert',
  breaker_open: ':rotating_light: Provider breaker open',
  ledger_backlog: ':warning: Usage ledger backing up',
};

/**
 * A Slack incoming-webhook message: `text` (the notification and fallback) and Block Kit
 * blocks: a header, the summary, and the facts as fields.
 */
export function slackPayload(f: Firing, summary: string): Record<string, unknown> {
  const facts = Object.entries(f.detail)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .slice(0, 10)
    .map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${String(v)}` }));
  return {
    text: `${TITLE[f.kind]}: ${summary}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: TITLE[f.kind].replace(/^:[a-z_]+: /, ''), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: summary } },
      ...(facts.length ? [{ type: 'section', fields: facts }] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Tollgate · ${f.kind} · ${new Date(f.firedAt).toISOString()} · ${f.id}` }] },
    ],
  };
}
