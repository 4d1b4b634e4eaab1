import type { AgentEvent, EventData, EventType } from './event-types.js';

export type { AgentEvent, EventData, EventType } from './event-types.js';

export interface EmitOptions {
  /** When the event happened; defaults to now. */
  ts?: Date;
}

/**
 * Every module reports through an EventSink (a port); reporting/ implements it with the durable outbox.
 * `emit` resolves only once the event is durably written (fsync'd), so callers may treat it as sent.
 * What each type carries, and whether it may ever be dropped, is event-types.ts.
 */
export interface EventSink {
  emit<T extends EventType>(type: T, data: EventData<T>, opts?: EmitOptions): Promise<void>;
}

/** Collects events in memory: for one-shot commands and tests. */
export class MemoryEventSink implements EventSink {
  readonly events: Array<AgentEvent & { ts: Date }> = [];

  async emit<T extends EventType>(type: T, data: EventData<T>, opts?: EmitOptions): Promise<void> {
    this.events.push({ type, data, ts: opts?.ts ?? new Date() } as AgentEvent & { ts: Date });
  }

  ofType<T extends EventType>(type: T): Array<EventData<T>> {
    return this.events.filter((e) => e.type === type).map((e) => e.data as EventData<T>);
  }
}
