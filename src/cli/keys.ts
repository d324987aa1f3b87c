import type { Command } from 'commander';
import { sha256Hex } from '../lib/hash.ts';
import { listKeys, type KeyRow } from '../store/keys.ts';
import { changeKey, findKey, issueKey, revoke, rotate } from '../server/routes/admin/ops.ts';
import { createKeyBody, rotateKeyBody, updateKeyBody } from '../server/routes/admin/schemas.ts';
import { percentList, splitList } from '../server/routes/admin/values.ts';
import { auditEntry } from '../server/routes/admin/audit-entries.ts';
import { audited } from './audit.ts';
import { budgetText, keyView, type KeyView } from '../server/routes/admin/views.ts';
import { commandGroup, consoleIo, intFlag, jsonFlag, outputFormat, parseFlags, runAction, table, usingStore, withConfig, type Io } from './parse-action.ts';

const REF = 'key id (key_…), prefix (tg-…) or name';
const ONCE = 'warning: this key is shown once and cannot be retrieved again; store it now.';

/** `tollgate keys create|list|show|update|revoke|rotate|hash` — virtual keys in the configured database. */
export function keysCommand(io: Io = consoleIo): Command {
  const cmd = commandGroup('keys', 'Client (virtual) keys', io);
  cmd
    .command('hash')
    .description('Print a new random key and its sha256 hash for the `keys:` list in config')
    .option('--key <key>', 'hash this key instead of making a new one (visible in your shell history)')
    .action((opts: { key?: string }) => {
      const key = opts.key ?? 'tg-' + Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url');
      io.out(`key:  ${key}   (shown once; give it to the client)`);
      io.out(`hash: sha256:${sha256Hex(key)}`);
    });

  withConfig(cmd.command('create'))
    .description('Create a key in the database and print it (once)')
    .requiredOption('--name <name>', 'a name for the key, e.g. ci')
    .option('--team <team>', 'owning team (created if new)')
    .option('--user <user>', 'owning user')
    .option('--tags <list>', 'comma-separated tags')
    .option('--models <globs>', "comma-separated model patterns it may call, e.g. 'gpt-4o*' (default: any)")
    .option('--budget <usd/period>', 'spend limit, e.g. 50/month (day, week or month)')
    .option('--budget-alerts <percents>', 'alert thresholds in percent of the budget, e.g. 80,100 (default: the config\'s)')
    .option('--rpm <n>', 'requests per minute')
    .option('--tpm <n>', 'tokens per minute')
    .option('--expires <when>', 'a duration (30d, 12h) or an ISO date')
    .option('--metadata <json>', 'a JSON object kept with the key')
    .option('--format <format>', 'text or json', 'text')
    .action((o: Record<string, string | undefined>) =>
      runAction(io, async () => {
        const format = outputFormat(o.format, ['text', 'json']);
        const input = parseFlags(createKeyBody, {
          name: o.name,
          team: o.team,
          user: o.user,
          tags: o.tags === undefined ? undefined : splitList(o.tags),
          models: o.models === undefined ? undefined : splitList(o.models),
          budget: o.budget,
          budget_alerts: o.budgetAlerts === undefined ? undefined : percentList(o.budgetAlerts),
          rpm: intFlag('rpm', o.rpm),
          tpm: intFlag('tpm', o.tpm),
          expires: o.expires,
          metadata: jsonFlag('metadata', o.metadata),
        });
        const { key, row } = await usingStore(io, o.config, 'write', (store) => audited(store, issueKey(store, input), (r) => auditEntry.keyCreate(r.row)));
        printNewKey(io, format, key, row);
      }),
    );

  withConfig(cmd.command('list'))
    .description('List keys (never the keys themselves: their prefix and id)')
    .option('--team <team>', 'only this team')
    .option('--all', 'include revoked keys')
    .option('--format <format>', 'table or json', 'table')
    .action((o: { team?: string; all?: boolean; format?: string; config?: string }) =>
      runAction(io, async () => {
        const format = outputFormat(o.format, ['table', 'json']);
        const rows = await usingStore(io, o.config, 'read', (store) => listKeys(store, { team: o.team, includeRevoked: o.all === true }));
        const now = Date.now();
        const views = rows.map((r) => keyView(r, now));
        io.out(format === 'json' ? JSON.stringify(views, null, 2) : keysTable(views));
      }),
    );

  withConfig(cmd.command('show'))
    .description('Show one key: its settings and status (never the key itself)')
    .argument('<key>', REF)
    .option('--format <format>', 'text or json', 'text')
    .action((ref: string, o: { format?: string; config?: string }) =>
      runAction(io, async () => {
        const format = outputFormat(o.format, ['text', 'json']);
        const row = await usingStore(io, o.config, 'read', (store) => findKey(store, ref));
        io.out(format === 'json' ? JSON.stringify(keyView(row), null, 2) : keyText(keyView(row)));
      }),
    );

  withConfig(cmd.command('update'))
    .description("Change a key's budget, models, limits or expiry; options left out stay as they are")
    .argument('<key>', REF)
    .option('--budget <usd/period>', "spend limit, e.g. 50/month ('none' removes it)")
    .option('--budget-alerts <percents>', "alert thresholds in percent, e.g. 80,100 ('none': the config's)")
    .option('--models <globs>', "comma-separated model patterns ('none': any model)")
    .option('--rpm <n>', "requests per minute ('none' removes it)")
    .option('--tpm <n>', "tokens per minute ('none' removes it)")
    .option('--expires <when>', "a duration (30d, 12h) or an ISO date ('none': never)")
    .option('--format <format>', 'text or json', 'text')
    .action((ref: string, o: Record<string, string | undefined>) =>
      runAction(io, async () => {
        const format = outputFormat(o.format, ['text', 'json']);
        const clear = <T>(v: string | undefined, parse: (s: string) => T) => (v === undefined ? undefined : v === 'none' ? null : parse(v));
        const patch = parseFlags(updateKeyBody, {
          budget: clear(o.budget, (s) => s),
          budget_alerts: clear(o.budgetAlerts, percentList),
          models: clear(o.models, splitList),
          rpm: intFlag('rpm', o.rpm, { clearable: true }),
          tpm: intFlag('tpm', o.tpm, { clearable: true }),
          expires: clear(o.expires, (s) => s),
        });
        const row = await usingStore(io, o.config, 'write', (store) => audited(store, changeKey(store, ref, patch), (r) => auditEntry.keyUpdate(r, patch)));
        io.out(format === 'json' ? JSON.stringify(keyView(row), null, 2) : keyText(keyView(row)));
      }),
    );

  withConfig(cmd.command('revoke'))
    .description('Revoke a key now (every gateway on this database refuses it within a second)')
    .argument('<key>', REF)
    .action((ref: string, o: { config?: string }) =>
      runAction(io, async () => {
        const row = await usingStore(io, o.config, 'write', (store) => audited(store, revoke(store, ref), auditEntry.keyRevoke));
        io.out(`revoked ${row.id} (${row.prefix}, ${row.name})`);
      }),
    );

  withConfig(cmd.command('rotate'))
    .description('Replace a key with a new one; the old one keeps working for the grace period')
    .argument('<key>', REF)
    .option('--grace <duration>', 'how long the old key keeps working', '24h')
    .option('--format <format>', 'text or json', 'text')
    .action((ref: string, o: { grace?: string; format?: string; config?: string }) =>
      runAction(io, async () => {
        const format = outputFormat(o.format, ['text', 'json']);
        const { grace } = parseFlags(rotateKeyBody, { grace: o.grace });
        const { key, row, old } = await usingStore(io, o.config, 'write', (store) => audited(store, rotate(store, ref, grace), (r) => auditEntry.keyRotate(r.old, r.row, grace)));
        printNewKey(io, format, key, row, old);
      }),
    );
  return cmd;
}

function printNewKey(io: Io, format: string, key: string, row: KeyRow, old?: KeyRow): void {
  if (format === 'json') io.out(JSON.stringify({ key, record: keyView(row), ...(old ? { previous: keyView(old) } : {}) }, null, 2));
  else {
    io.out(`key:    ${key}`);
    io.out(`id:     ${row.id}`);
    io.out(`prefix: ${row.prefix}`);
    if (old) io.out(`old key ${old.id} (${old.prefix}) works until ${old.expiresAt == null ? '-' : new Date(old.expiresAt).toISOString()}`);
  }
  io.err(ONCE);
}

function keyText(k: KeyView): string {
  const lines: [string, string][] = [
    ['id', k.id],
    ['prefix', k.prefix],
    ['name', k.name],
    ['status', k.status],
    ['team', k.team ?? '-'],
    ['user', k.user ?? '-'],
    ['tags', k.tags.join(',') || '-'],
    ['models', k.models?.join(',') ?? '*'],
    ['budget', budgetText(k.budget)],
    ['rpm', k.rpm == null ? '-' : String(k.rpm)],
    ['tpm', k.tpm == null ? '-' : String(k.tpm)],
    ['expires', k.expires_at ?? '-'],
    ['revoked', k.revoked_at ?? '-'],
    ['rotated to', k.rotated_to ?? '-'],
    ['created', k.created_at ?? '-'],
    ['updated', k.updated_at ?? '-'],
  ];
  return lines.map(([label, value]) => `${(label + ':').padEnd(12)}${value}`).join('\n');
}

function keysTable(keys: KeyView[]): string {
  const limits = (k: KeyView) => [k.rpm != null ? `${k.rpm} rpm` : '', k.tpm != null ? `${k.tpm} tpm` : ''].filter(Boolean).join(', ') || '-';
  return table(
    ['PREFIX', 'ID', 'NAME', 'TEAM', 'MODELS', 'BUDGET', 'LIMITS', 'EXPIRES', 'STATUS'],
    keys.map((k) => [k.prefix, k.id, k.name, k.team ?? '-', k.models?.join(',') ?? '*', budgetText(k.budget), limits(k), k.expires_at?.slice(0, 16).replace('T', ' ') ?? '-', k.status]),
  );
}
