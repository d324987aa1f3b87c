import { GatewayError } from '../lib/errors.ts';
import type { Runtime } from '../config/runtime.ts';
import type { Target } from '../routing/target.ts';

/**
 * The requested public model → the targets to try. Until the policy engine decides, the
 * catalog's single target is used.
 */
export function resolveTargets(runtime: Runtime, requested: string, kind: 'chat' | 'embeddings'): { publicModel: string; targets: Target[] } {
  const entry = runtime.catalog.resolve(requested);
  if (!entry) throw new GatewayError('not_found', `The model '${requested}' does not exist or is not available on this gateway.`, { param: 'model' });
  if (entry.model.kind !== kind) {
    throw new GatewayError('invalid_request', `The model '${requested}' is ${entry.model.kind === 'chat' ? 'a chat model' : 'an embeddings model'} and cannot serve this endpoint.`, { param: 'model' });
  }
  return { publicModel: entry.name === requested ? entry.name : requested, targets: [{ provider: entry.model.provider, model: entry.model.model }] };
}
