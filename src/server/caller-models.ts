import type { Context } from 'hono';
import type { ModelLists } from '../enforce/model-glob.ts';
import type { Env } from './context.ts';
import type { AppDeps } from './deps.ts';

/** The model allow-lists of the calling key and its team, for routes outside admission. */
export async function callerModelLists(c: Context<Env>, deps: AppDeps): Promise<ModelLists> {
  const principal = c.get('principal');
  const team = await deps.enforce?.team?.(principal?.team);
  return { key: principal?.models, team: team?.allowedModels };
}
