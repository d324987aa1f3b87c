import { allowedBetas, allowedServerTools, featureListed } from '../config/provider-features.ts';
import type { Runtime } from '../config/runtime.ts';
import { GatewayError } from '../lib/errors.ts';
import type { Decision } from '../policy/decision.ts';
import type { RequestBody } from '../policy/request-facts.ts';
import type { Target } from '../routing/target.ts';

export interface RequestedFeatures {
  betas: readonly string[];
  serverTools: readonly string[];
}

/**
 * Refuses (403, naming it) a beta or server-side tool that the decision did not allow and that
 * some provider the request may reach does not allow in its config: the shared provider key
 * must not switch on what the operator never enabled, on a fallback either.
 */
export function assertFeaturesAllowed(runtime: Runtime, targets: readonly Target[], request: RequestBody, wanted: RequestedFeatures, decision: Decision | undefined): void {
  const providers = [...new Set(targets.map((t) => t.provider))];
  const refusedBy = (name: string, list: (p: string) => readonly string[]) => providers.find((p) => !featureListed(name, list(p)));
  const config = (p: string) => runtime.config.providers[p] ?? {};
  for (const beta of wanted.betas) {
    if (featureListed(beta, decision?.allow_betas ?? [])) continue;
    const provider = refusedBy(beta, (p) => allowedBetas(config(p)));
    if (provider) {
      throw new GatewayError('forbidden', `The anthropic-beta '${beta}' is not enabled on this gateway for provider '${provider}'. An operator can allow it in providers.${provider}.allowed_betas, or a policy per request with allow_betas.`, { param: 'anthropic-beta', code: 'beta_not_allowed' });
    }
  }
  for (const tool of wanted.serverTools) {
    if (featureListed(tool, decision?.allow_server_tools ?? [])) continue;
    const provider = refusedBy(tool, (p) => allowedServerTools(config(p)));
    if (provider) {
      throw new GatewayError('forbidden', `The server-side tool '${tool}' is not enabled on this gateway for provider '${provider}'. An operator can allow it in providers.${provider}.allowed_server_tools, or a policy per request with allow_server_tools.`, { param: toolParam(request, tool), code: 'server_tool_not_allowed' });
    }
  }
}

/** Where the tool is in the body, for the error's `param`. */
function toolParam(request: RequestBody, tool: string): string {
  if (request.endpoint !== 'messages') return tool;
  const i = request.body.tools?.findIndex((t) => t.type === tool) ?? -1;
  return i >= 0 ? `tools[${i}]` : tool;
}
