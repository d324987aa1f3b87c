import { existsSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { configSchema, providerSchema, type GatewayConfig } from './schema.ts';
import { hasToken, protectRefs, resolveEnv, resolveTokens, type MissingEnv, type Ref } from './env.ts';
import { closest } from './suggest.ts';
import { upstreamPrices } from './prices.ts';
import { NATIVE_COMPLETIONS } from './completions-mode.ts';

export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
  hint?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  // Line 0: a problem about a value rather than a place in the file (a directory that is missing).
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  return `${where}: ${p.path ? p.path + ': ' : ''}${p.message}${p.hint ? ` (${p.hint})` : ''}`;
}

export interface LoadedConfig {
  config: GatewayConfig;
  /** Providers left out because an optional provider's `${VAR}` was unset. */
  skipped: { provider: string; missing: string[] }[];
}

/**
 * A config is validated once per load: zod's compiled fast path (it generates and compiles a
 * parser per object schema on first use) costs more than it saves on one parse at start-up.
 */
const ONCE = { jitless: true } as const;

/** Parses, resolves `${ENV}` and validates one config text. Throws ConfigError naming file:line. */
export function parseConfig(text: string, file: string, env: Record<string, string | undefined> = process.env): LoadedConfig {
  const { doc, at, missing } = readDocument(text, file, env);
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  const skipped = dropOptionalProviders(raw, missing);
  const unset = unsetOf(missing, skipped);
  const parsed = configSchema.safeParse(raw, ONCE);
  const problems = envProblems(unset, file, at);
  if (!parsed.success) problems.push(...zodProblems(parsed.error.issues, unset, doc, file, at));
  if (parsed.success) problems.push(...crossCheck(parsed.data, file, (path) => at(nodeAt(doc, path)?.range?.[0] ?? 0)));
  if (problems.length) throw new ConfigError(sortProblems(problems));
  return { config: parsed.data!, skipped };
}

/** A config text parsed ahead of time with its `${VAR}`s left as protectRefs tokens (the embedded defaults, parsed by the bundler). */
export interface ParsedAhead {
  value: Record<string, unknown>;
  refs: Ref[];
}

/**
 * parseConfig's result for a text parsed ahead of time, without parsing YAML (~70 ms at a cold
 * start), when the config is valid as it stands; undefined when anything is wrong (an unset
 * variable, a schema or cross-field problem): parseConfig then reports it with its line.
 */
export function parseAhead(ahead: ParsedAhead, env: Record<string, string | undefined> = process.env): LoadedConfig | undefined {
  const missing: { name: string; path: (string | number)[] }[] = [];
  const raw = resolveAhead(ahead.value, [], ahead.refs, env, missing);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const skipped = dropOptionalProviders(raw as Record<string, unknown>, missing);
  if (unsetOf(missing, skipped).length) return undefined;
  const parsed = configSchema.safeParse(raw, ONCE);
  if (!parsed.success || crossCheck(parsed.data, '', () => ({ line: 0, col: 0 })).length) return undefined;
  return { config: parsed.data, skipped };
}

// A copy with the tokens resolved, as resolveEnv does on the document: paths name map keys only.
// A key holding a token gives up (undefined), leaving it to the document path.
function resolveAhead(v: unknown, path: (string | number)[], refs: Ref[], env: Record<string, string | undefined>, missing: { name: string; path: (string | number)[] }[]): unknown {
  if (typeof v === 'string') return hasToken(v) ? resolveTokens(v, env, refs, (name) => missing.push({ name, path })) : v;
  if (Array.isArray(v)) return v.map((x) => resolveAhead(x, path, refs, env, missing));
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (hasToken(k)) return undefined;
    out[k] = resolveAhead(x, [...path, k], refs, env, missing);
  }
  return out;
}

/** The unset variables that are not of a provider left out for them. */
const unsetOf = <M extends { path: (string | number)[] }>(missing: M[], skipped: { provider: string }[]): M[] =>
  missing.filter((m) => !(m.path[0] === 'providers' && skipped.some((s) => s.provider === m.path[1])));

/** The sections the database commands need. */
export type StoreConfig = Pick<GatewayConfig, 'database' | 'keys'>;
// Built when a database command first needs it, not by every start of `serve` (pick copies the shape).
let storeConfigSchema: z.ZodType<StoreConfig> | undefined;
const storeSchema = () => (storeConfigSchema ??= configSchema.pick({ database: true, keys: true }));

/**
 * Only `database` and `keys`, for the commands that manage the database: the rest of the file
 * (providers and their `${VAR}`s) does not matter to them, beyond being valid YAML.
 */
export function parseStoreConfig(text: string, file: string, env: Record<string, string | undefined> = process.env): StoreConfig {
  const { doc, at, missing } = readDocument(text, file, env);
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  const unset = missing.filter((m) => m.path[0] === 'database' || m.path[0] === 'keys');
  const parsed = storeSchema().safeParse({ database: raw.database, keys: raw.keys }, ONCE);
  const problems = envProblems(unset, file, at);
  if (!parsed.success) problems.push(...zodProblems(parsed.error.issues, unset, doc, file, at));
  if (problems.length) throw new ConfigError(sortProblems(problems));
  return parsed.data!;
}

function readDocument(text: string, file: string, env: Record<string, string | undefined>): { doc: Document; at: At; missing: MissingEnv[] } {
  const lc = new LineCounter();
  const protectedText = protectRefs(text);
  const doc = parseDocument(protectedText.text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lc.linePos(offset);
  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = at(e.pos[0]);
        return { file, line: pos.line, col: pos.col, path: '', message: e.message.split('\n')[0]!, hint: 'fix the YAML syntax' };
      }),
    );
  }
  return { doc, at, missing: resolveEnv(doc, env, protectedText.refs) };
}

function envProblems(missing: MissingEnv[], file: string, at: At): ConfigProblem[] {
  return missing.map((m) => {
    const pos = at(m.offset);
    return { file, line: pos.line, col: pos.col, path: m.path.join('.'), message: `environment variable ${m.name} is not set`, hint: `export ${m.name}, or write \${${m.name}:-default}, or mark the provider optional: true` };
  });
}

/** Schema problems, minus those about a value left empty by an unset `${VAR}` (already reported). */
function zodProblems(issues: z.core.$ZodIssue[], unset: MissingEnv[], doc: Document, file: string, at: At): ConfigProblem[] {
  const emptied = new Set(unset.map((m) => m.path.join('.')));
  return issues.filter((i) => !emptied.has(i.path.join('.'))).map((i) => toProblem(i, doc, file, at));
}

const sortProblems = (ps: ConfigProblem[]) => [...ps].sort((a, b) => a.line - b.line || a.col - b.col);

function dropOptionalProviders(raw: Record<string, unknown>, missing: { name: string; path: (string | number)[] }[]) {
  const skipped: { provider: string; missing: string[] }[] = [];
  const providers = raw.providers as Record<string, Record<string, unknown>> | undefined;
  if (!providers || typeof providers !== 'object') return skipped;
  for (const [name, p] of Object.entries(providers)) {
    if (!p || typeof p !== 'object' || p.optional !== true) continue;
    const vars = missing.filter((m) => m.path[0] === 'providers' && m.path[1] === name).map((m) => m.name);
    if (!vars.length) continue;
    delete providers[name];
    skipped.push({ provider: name, missing: [...new Set(vars)] });
    const models = raw.models as Record<string, Record<string, unknown>> | undefined;
    for (const [m, def] of Object.entries(models ?? {})) if (def?.provider === name) delete models![m];
  }
  return skipped;
}

type At = (offset: number) => { line: number; col: number };

function nodeAt(doc: Document, path: readonly PropertyKey[]): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as Node | undefined;
    if (node && typeof node === 'object' && 'range' in node) return node;
  }
  return undefined;
}

function toProblem(issue: z.core.$ZodIssue, doc: Document, file: string, at: At): ConfigProblem {
  let path = issue.path as PropertyKey[];
  let message = issue.message;
  let hint: string | undefined;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = knownKeys(path, doc);
    const near = closest(key, known);
    path = [...path, key];
    message = `unknown key '${key}'`;
    hint = near ? `did you mean '${near}'?` : known.length ? `allowed keys: ${known.join(', ')}` : undefined;
    const keyNode = keyNodeAt(doc, path);
    if (keyNode) {
      const pos = at(keyNode);
      return { file, line: pos.line, col: pos.col, path: path.join('.'), message, hint };
    }
  } else if (issue.code === 'invalid_union' && path.at(-3) === 'providers' && path.at(-1) === 'type') {
    message = `unknown provider type`;
    hint = `type must be one of: ${providerSchema.options.map((o) => o.shape.type.value).join(', ')}`;
  } else if (issue.code === 'invalid_type' && !doc.hasIn(path as (string | number)[])) {
    const name = String(path.at(-1) ?? '');
    message = 'missing';
    hint = name === 'providers' ? 'add a providers: section, e.g. providers: { mock: { type: mock } }' : `add ${name}, a ${issue.expected}`;
  } else if (issue.code === 'invalid_type') {
    hint = `expected ${issue.expected}`;
  }
  const node = nodeAt(doc, path);
  const pos = at(node?.range?.[0] ?? 0);
  return { file, line: pos.line, col: pos.col, path: path.join('.'), message, hint };
}

function keyNodeAt(doc: Document, path: PropertyKey[]): number | undefined {
  const parent = doc.getIn(path.slice(0, -1) as (string | number)[], true);
  if (!isMap(parent)) return undefined;
  for (const pair of parent.items) {
    const k = pair.key as Node | null;
    if (k && 'value' in k && String((k as { value: unknown }).value) === String(path.at(-1))) return k.range?.[0];
  }
  return undefined;
}

function knownKeys(path: PropertyKey[], doc: Document): string[] {
  let schema: z.ZodType = configSchema;
  for (const seg of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(seg)] ?? schema;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
  }
  schema = unwrap(schema);
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const type = (doc.getIn([...path, 'type'] as (string | number)[]) as string | undefined) ?? '';
    const opt = (schema.options as z.ZodObject[]).find((o) => (o.shape.type as z.ZodLiteral).value === type);
    return opt ? Object.keys(opt.shape) : [];
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  while (cur instanceof z.ZodDefault || cur instanceof z.ZodOptional) cur = cur.unwrap() as z.ZodType;
  return cur;
}

function crossCheck(cfg: GatewayConfig, file: string, where: (path: (string | number)[]) => { line: number; col: number }): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Set<string>();
  for (const [name, m] of Object.entries(cfg.models)) {
    if (!cfg.providers[m.provider]) {
      const pos = where(['models', name, 'provider']);
      const near = closest(m.provider, Object.keys(cfg.providers));
      problems.push({ file, line: pos.line, col: pos.col, path: `models.${name}.provider`, message: `provider '${m.provider}' is not defined under providers`, hint: near ? `did you mean '${near}'?` : `define it under providers:` });
    }
    const type = cfg.providers[m.provider]?.type;
    if (m.completions === 'native' && type && !NATIVE_COMPLETIONS.includes(type)) {
      const pos = where(['models', name, 'completions']);
      problems.push({ file, line: pos.line, col: pos.col, path: `models.${name}.completions`, message: `provider type '${type}' has no /v1/completions endpoint`, hint: `use completions: chat (legacy completions translated to chat), or leave it unset` });
    }
    for (const alias of [name, ...m.aliases]) {
      if (names.has(alias)) {
        const pos = where(['models', name]);
        problems.push({ file, line: pos.line, col: pos.col, path: `models.${name}`, message: `model name or alias '${alias}' is used twice`, hint: 'each public name must be unique' });
      }
      names.add(alias);
    }
  }
  const replica = plainFileAsReplica(cfg.database);
  if (replica) {
    const pos = where(['database', 'url']);
    problems.push({ file, line: pos.line, col: pos.col, path: 'database.url', message: `${replica} is a plain database, and libSQL cannot make it an embedded replica of sync_url`, hint: 'point url at a new file; the replica is filled from sync_url' });
  }
  for (const c of upstreamPrices(cfg).clashes) {
    const pos = where(['prices', c.key]);
    problems.push({ file, line: pos.line, col: pos.col, path: `prices.${c.key}`, message: `prices upstream model '${c.upstream}', which prices.${c.other} already prices`, hint: 'keep one of the two' });
  }
  return problems;
}

/**
 * A `file:` url with `sync_url` whose file already exists without a replica's index (say, the
 * default database of an earlier run): opening it as a replica fails. Returns that file.
 */
function plainFileAsReplica(db: GatewayConfig['database']): string | undefined {
  if (!db.sync_url || !db.url.startsWith('file:')) return undefined;
  const path = db.url.slice('file:'.length);
  return existsSync(path) && !existsSync(`${path}-client_wal_index`) ? path : undefined;
}

/** Reads and parses a config file. */
export async function loadConfigFile(path: string, env?: Record<string, string | undefined>): Promise<LoadedConfig> {
  const file = Bun.file(path);
  if (!(await file.exists())) {
    throw new ConfigError([{ file: path, line: 1, col: 1, path: '', message: 'config file not found', hint: 'create it, or run without --config to use the embedded defaults' }]);
  }
  return parseConfig(await file.text(), path, env);
}
