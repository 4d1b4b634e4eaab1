import { expect } from 'vitest';
import { type EmitOptions, type EventData, type EventType, MemoryEventSink } from '../../src/model/event-sink.js';
import { EVENT_TYPES } from '../../src/model/event-types.js';

const mismatches: string[] = [];

/**
 * A MemoryEventSink that also checks each event's data against its schema (model/event-types.ts) at run time,
 * where a spread or a cast could slip past the compiler. Emitters often swallow a failing emit, so mismatches are
 * collected and asserted by expectEventsMatchSchemas (call it in afterEach).
 */
export class CheckedEventSink extends MemoryEventSink {
  override async emit<T extends EventType>(type: T, data: EventData<T>, opts?: EmitOptions): Promise<void> {
    const parsed = EVENT_TYPES[type].data.safeParse(data);
    if (!parsed.success) mismatches.push(`${type}: ${parsed.error.message} in ${JSON.stringify(data)}`);
    await super.emit(type, data, opts);
  }
}

export function expectEventsMatchSchemas(): void {
  const found = mismatches.splice(0);
  expect(found).toEqual([]);
}
