import type { ClientSchema } from '../providers/types.ts';
import type { Runtime } from '../config/runtime.ts';
import type { Principal } from './middleware/auth.ts';

/** Typed per-request values (Hono context variables). */
export interface Env {
  Variables: {
    requestId: string;
    schema: ClientSchema;
    runtime: Runtime;
    principal: Principal;
    startedAt: number;
  };
}
