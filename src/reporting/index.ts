import type { Config } from '../config/schema.js';
import type { AuditSink } from '../model/audit-sink.js';
import type { Logger } from '../util/logger.js';
import { Outbox } from './outbox.js';
import { Reporter } from './reporter.js';
import type { RequestHandlers } from './requests/schemas.js';

export type { EmitOptions, EventSink, EventType } from '../model/event-sink.js';
export { toCameraPayload, toScanPayload } from './camera-payload.js';
export { diffInventories, type InventoryEvent } from './inventory-diff.js';
export { type FilingFields, toInventoryPayload } from './inventory-payload.js';
export { Outbox, type OutboxEvent, type OutboxStats } from './outbox.js';
export { Reporter, type ReporterOptions } from './reporter.js';
export { loadCommandKeys, parseCommandKeys } from './requests/command-keys.js';
export { opSchemas, REQUEST_OPS, type RequestHandlers, type RequestOp } from './requests/schemas.js';
export { signedBytes, signRequest, verifySignature } from './requests/signing.js';

/**
 * The usual wiring: one outbox (the EventSink every module gets) and the reporter around it.
 * Start the outbox first so modules can emit while the broker is still unreachable.
 */
export function createReporting(deps: {
  config: Config;
  logger: Logger;
  audit: AuditSink;
  version: string;
  handlers?: RequestHandlers;
}): { outbox: Outbox; reporter: Reporter } {
  const outbox = new Outbox({
    dataDir: deps.config.dataDir,
    logger: deps.logger,
    alarmEvents: deps.config.mqtt.outboxAlarmEvents,
    maxEvents: deps.config.mqtt.outboxMaxEvents,
  });
  const reporter = new Reporter({
    config: deps.config,
    logger: deps.logger,
    outbox,
    audit: deps.audit,
    version: deps.version,
    ...(deps.handlers ? { handlers: deps.handlers } : {}),
  });
  return { outbox, reporter };
}
