import { Hono } from 'hono';
import { z } from 'zod';
import { reportCsv } from '../../../store/usage-report.ts';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';
import { readQuery, storeOf } from './input.ts';
import { usageFor } from './ops.ts';
import { usageQuery } from './schemas.ts';
import { usageView } from './views.ts';

const query = usageQuery.extend({ format: z.enum(['json', 'csv']).default('json') });

/** `GET /admin/usage?by=team,model&since=30d&until=…&format=json|csv` — grouped usage with totals. */
export function adminUsageRoute(deps: AppDeps) {
  return new Hono<Env>().get('/admin/usage', async (c) => {
    const { format, ...q } = readQuery(c, query);
    const report = await usageFor(storeOf(deps), q, deps.runtime.current().config.keys);
    if (format === 'json') return c.json(usageView(report));
    return c.body(reportCsv(report), 200, { 'content-type': 'text/csv; charset=utf-8' });
  });
}
