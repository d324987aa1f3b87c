import type { Runtime } from '../config/runtime.ts';
import { sameTarget, type Target } from '../routing/target.ts';

/**
 * The model name a response carries: the name the client asked for when its own target
 * served, else the public name of the target that did (or its upstream id when the catalog
 * has no name for it), so that a fallback never passes for the model requested.
 */
export function servedModelName(runtime: Runtime, requested: string): (t: Target) => string {
  const entry = runtime.catalog.resolve(requested);
  return (t) => {
    if (entry && sameTarget(entry.model, t)) return requested;
    return runtime.catalog.list().find((e) => sameTarget(e.model, t))?.name ?? t.model;
  };
}
