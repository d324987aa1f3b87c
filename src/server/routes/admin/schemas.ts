import { z } from 'zod';
import { DIMENSIONS, isDimension, type Dimension } from '../../../store/usage-report.ts';
import { InvalidValue, PERIODS, parseBudget, parseDuration, parseInstant, splitList, usdToMicros } from './values.ts';

/** A string run through a parser whose InvalidValue becomes a zod issue on this field. */
function parsedString<T>(parse: (s: string) => T) {
  return z.string().transform((s, ctx) => {
    try {
      return parse(s);
    } catch (e) {
      if (!(e instanceof InvalidValue)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message });
      return z.NEVER;
    }
  });
}

/** `"50/month"` or `{ "usd": 50, "period": "month" }` → micro-dollars per period. */
const budget = z.union([z.string(), z.strictObject({ usd: z.union([z.number(), z.string()]), period: z.string() })]).transform((v, ctx) => {
  try {
    if (typeof v === 'string') return parseBudget(v);
    const period = PERIODS.find((p) => p === v.period);
    if (!period) throw new InvalidValue(`period must be day, week or month, got '${v.period}'`);
    return { micros: usdToMicros(v.usd), period };
  } catch (e) {
    if (!(e instanceof InvalidValue)) throw e;
    ctx.addIssue({ code: 'custom', message: e.message });
    return z.NEVER;
  }
});

/** Budget alert thresholds in percent of the limit (`[80, 100]`); each fires once per period. */
export const budgetAlerts = z
  .array(z.int().min(1).max(1000))
  .min(1, 'list at least one threshold, or null to use the config default')
  .max(10)
  .transform((a) => [...new Set(a)].sort((x, y) => x - y));

const teamId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
const limit = z.int().positive().max(1_000_000_000);
const models = z.array(z.string().min(1).max(200)).min(1, 'list at least one model pattern, or leave the field out to allow any model');
const metadata = z.record(z.string(), z.unknown());

const expires = parsedString((s) => {
  const at = parseInstant(s, 'ahead', Date.now());
  if (at <= Date.now()) throw new InvalidValue(`'${s}' is in the past`);
  return at;
});

export const createKeyBody = z.strictObject({
  name: z.string().min(1).max(200),
  team: teamId.optional(),
  user: z.string().min(1).max(200).optional(),
  tags: z.array(z.string().min(1).max(100)).optional(),
  models: models.optional(),
  budget: budget.optional(),
  budget_alerts: budgetAlerts.optional(),
  rpm: limit.optional(),
  tpm: limit.optional(),
  /** Epoch ms after parsing. */
  expires: expires.optional(),
  metadata: metadata.optional(),
});
export type CreateKeyInput = z.infer<typeof createKeyBody>;

/** A key change: a field left out stays, `null` clears it (`expires: null` = never expires). */
export const updateKeyBody = z
  .strictObject({
    budget: budget.nullable().optional(),
    budget_alerts: budgetAlerts.nullable().optional(),
    models: models.nullable().optional(),
    rpm: limit.nullable().optional(),
    tpm: limit.nullable().optional(),
    expires: expires.nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one of budget, budget_alerts, models, rpm, tpm, expires');
export type UpdateKeyInput = z.infer<typeof updateKeyBody>;

export const rotateKeyBody = z.strictObject({
  /** How long the old key keeps working, in ms after parsing. */
  grace: parsedString(parseDuration).default(24 * 3_600_000),
});

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const listKeysQuery = z.strictObject({
  team: z.string().min(1).optional(),
  include_revoked: flag.optional(),
});

export const createTeamBody = z.strictObject({
  id: teamId,
  name: z.string().min(1).max(200).optional(),
  budget: budget.optional(),
  budget_alerts: budgetAlerts.optional(),
  rpm: limit.optional(),
  tpm: limit.optional(),
  models: models.optional(),
  metadata: metadata.optional(),
});
export type CreateTeamInput = z.infer<typeof createTeamBody>;

/** A team change: a field left out stays, `null` clears it. */
export const updateTeamBody = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    budget: budget.nullable().optional(),
    budget_alerts: budgetAlerts.nullable().optional(),
    rpm: limit.nullable().optional(),
    tpm: limit.nullable().optional(),
    models: models.nullable().optional(),
    metadata: metadata.nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one of name, budget, budget_alerts, rpm, tpm, models, metadata');
export type UpdateTeamInput = z.infer<typeof updateTeamBody>;

/** `?force=true`: delete a team or user that still has live keys, revoking them. */
export const deleteQuery = z.strictObject({ force: flag.default(false) });

const userId = z.string().min(1).max(200);

export const createUserBody = z.strictObject({
  id: userId,
  name: z.string().min(1).max(200).optional(),
  email: z.email().optional(),
  team: teamId.optional(),
});
export type CreateUserInput = z.infer<typeof createUserBody>;

export const updateUserBody = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    email: z.email().nullable().optional(),
    team: teamId.nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one of name, email, team');

export const listUsersQuery = z.strictObject({ team: z.string().min(1).optional() });


const dimensions = parsedString((s): Dimension[] =>
  splitList(s).map((d) => {
    if (!isDimension(d)) throw new InvalidValue(`unknown dimension '${d}' (use any of ${DIMENSIONS.join(', ')})`);
    return d;
  }),
);

/** The report window and grouping, shared by `GET /admin/usage` and `tollgate usage`. */
export const usageQuery = z.strictObject({
  by: dimensions.default(['team', 'model']),
  since: parsedString((s) => parseInstant(s, 'ago', Date.now())).default(() => Date.now() - 30 * 86_400_000),
  until: parsedString((s) => parseInstant(s, 'ago', Date.now())).optional(),
  team: z.string().min(1).optional(),
  /** A key id or prefix. */
  key: z.string().min(1).optional(),
});
export type UsageQueryInput = z.infer<typeof usageQuery>;

/** The audit log from `since` (a duration back or an ISO date; default 30 days), at most `limit` entries (the newest). */
export const auditQuery = z.strictObject({
  since: parsedString((s) => parseInstant(s, 'ago', Date.now())).default(() => Date.now() - 30 * 86_400_000),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
