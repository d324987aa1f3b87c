import type { Logger } from '../lib/logger.ts';
import type { RuntimeHolder } from '../config/runtime.ts';
import type { UsageRecord } from './usage-record.ts';

export interface AppDeps {
  runtime: RuntimeHolder;
  logger: Logger;
  /** Called once per finished request (success, failure or interrupted stream). */
  onUsage?: (record: UsageRecord) => void;
  /** False once shutdown begins: /readyz fails. */
  ready?: () => boolean;
}
