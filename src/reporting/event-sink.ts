/**
 * Every module reports through an EventSink; reporting/ owns the durable outbox behind it.
 * `emit` resolves only once the event is durably written (fsync'd), so callers may treat it as sent.
 */
export type EventType =
  | 'camera.added'
  | 'camera.removed'
  | 'camera.changed'
  | 'decision.changed'
  | 'enforcement.planned'
  | 'enforcement.applied'
  | 'enforcement.reverted'
  | 'enforcement.failed'
  | 'retention.swept'
  | 'retention.shortfall'
  | 'retention.refused'
  | 'retention.quarantined'
  | 'retention.mismatch'
  | 'quarantine.expired'
  | 'profiles.applied'
  | 'profiles.rejected'
  | 'request.refused'
  | 'request.handled'
  | 'audit.appended'
  | 'outbox.alarm'
  | 'scan.completed'
  | 'agent.started'
  | 'agent.stopping';

export interface EmitOptions {
  /** When the event happened; defaults to now. */
  ts?: Date;
  /** Events of these classes are never dropped by outbox limits. */
  critical?: boolean;
}

export interface EventSink {
  emit(type: EventType, data: Record<string, unknown>, opts?: EmitOptions): Promise<void>;
}

/** Collects events in memory: for one-shot commands and tests. */
export class MemoryEventSink implements EventSink {
  readonly events: Array<{ type: EventType; data: Record<string, unknown>; ts: Date }> = [];

  async emit(type: EventType, data: Record<string, unknown>, opts?: EmitOptions): Promise<void> {
    this.events.push({ type, data, ts: opts?.ts ?? new Date() });
  }

  ofType(type: EventType): Array<Record<string, unknown>> {
    return this.events.filter((e) => e.type === type).map((e) => e.data);
  }
}
