import type { ParamsConfig } from '../config/schema.ts';
import { GatewayError } from '../lib/errors.ts';
import type { ChatTranslator, TranslateContext, UpstreamCall } from './types.ts';

/** The config's overrides of the parameter rule for one (provider, model) pair. */
export interface ParamRules {
  drop: readonly string[];
  refuse: readonly string[];
}

/** Provider and model overrides merged; the model's (more specific) win where the two disagree. */
export function paramRules(provider: ParamsConfig | undefined, model: ParamsConfig | undefined): ParamRules {
  const drop = new Set([...(provider?.drop ?? []), ...(model?.drop ?? [])]);
  const refuse = new Set([...(provider?.refuse ?? []), ...(model?.refuse ?? [])]);
  for (const n of model?.drop ?? []) refuse.delete(n);
  for (const n of model?.refuse ?? []) drop.delete(n);
  return { drop: [...drop], refuse: [...refuse] };
}

/**
 * A translator under the config's parameter overrides: `drop`ped top-level parameters are taken
 * out before translation and reported with the translator's own dropped hints; a `refuse`d
 * parameter present in the request, or a refused hint the translator would have dropped, is a
 * 400 naming it.
 */
export function withParamRules<Req extends object, T extends ChatTranslator<Req>>(t: T, rules: ParamRules, provider: string): T {
  if (!rules.drop.length && !rules.refuse.length) return t;
  return {
    ...t,
    request(body: Req, ctx: TranslateContext): UpstreamCall {
      const given = body as Record<string, unknown>;
      const present = (k: string) => given[k] !== undefined && given[k] !== null;
      const refused = rules.refuse.find(present);
      if (refused) throw refusal(refused, provider);
      const dropped = rules.drop.filter(present);
      const sent = dropped.length ? (Object.fromEntries(Object.entries(given).filter(([k]) => !dropped.includes(k))) as Req) : body;
      const call = t.request(sent, ctx);
      const hint = call.dropped?.find((n) => rules.refuse.includes(n));
      if (hint) throw refusal(hint, provider);
      const all = [...new Set([...dropped, ...(call.dropped ?? [])])];
      return { ...call, ...(all.length ? { dropped: all } : {}) };
    },
  };
}

function refusal(param: string, provider: string): GatewayError {
  return new GatewayError('invalid_request', `Parameter ${param} is not accepted for ${provider} (refused by the gateway's params.refuse)`, { param });
}
