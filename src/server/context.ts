import type { ClientSchema } from '../lib/render-error.ts';
import type { Runtime } from '../config/runtime.ts';
import type { Principal } from './middleware/auth.ts';
import type { UploadGate, UploadTicket } from './upload-gate.ts';
import type { RequestTrace } from '../obs/tracing.ts';

/** The request's hold on the upload gate, released when its handler ends. */
export interface BodyScope {
  gate: UploadGate;
  tickets: UploadTicket[];
  /** The body is in (start.ts lifts the socket's idle timeout while the upstream works). */
  onRead?: () => void;
}

/** Typed per-request values (Hono context variables). */
export interface Env {
  Variables: {
    requestId: string;
    schema: ClientSchema;
    runtime: Runtime;
    principal: Principal;
    startedAt: number;
    body: BodyScope;
    /** The request's span, when tracing is on (API routes only). */
    trace: RequestTrace | undefined;
  };
}
