import { Hono } from 'hono';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';
import { adminAuth } from '../../middleware/admin-auth.ts';
import { adminAuditRoute } from './audit.ts';
import { adminBudgetsRoute } from './budgets.ts';
import { adminCacheRoute } from './cache.ts';
import { adminKeysRoute } from './keys.ts';
import { adminProvidersRoute } from './providers.ts';
import { adminRequestsRoute } from './requests.ts';
import { adminTeamsRoute } from './teams.ts';
import { adminUsageRoute } from './usage.ts';
import { adminUsersRoute } from './users.ts';

/**
 * The admin API under /admin, behind the master key (TOLLGATE_MASTER_KEY). Errors leave through
 * the app's one renderer, in the OpenAI error schema.
 */
export function adminRoutes(deps: AppDeps) {
  return new Hono<Env>()
    // '/admin/*' matches '/admin' too, and unknown admin paths: they need the master key first.
    .use('/admin/*', adminAuth({ logger: deps.logger, sessions: deps.uiSessions }))
    .route('/', adminKeysRoute(deps))
    .route('/', adminTeamsRoute(deps))
    .route('/', adminUsageRoute(deps))
    .route('/', adminUsersRoute(deps))
    .route('/', adminRequestsRoute(deps))
    .route('/', adminBudgetsRoute(deps))
    .route('/', adminProvidersRoute(deps))
    .route('/', adminAuditRoute(deps))
    .route('/', adminCacheRoute(deps));
}
