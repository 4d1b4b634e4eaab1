import type { KnownEventType } from './event-types.js';

/** The types modules emit; the list and what each carries is event-types.ts. */
export type EventType = KnownEventType;

export interface EmitOptions {
  /** When the event happened; defaults to now. */
  ts?: Date;
  /** Events of these classes are never dropped by outbox limits. */
  critical?: boolean;
}

/**
 * Every module reports through an EventSink (a port); reporting/ implements it with the durable outbox.
 * `emit` resolves only once the event is durably written (fsync'd), so callers may treat it as sent.
 */
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
