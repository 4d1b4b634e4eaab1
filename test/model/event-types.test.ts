import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventData } from '../../src/model/event-sink.js';
import { EVENT_TYPE_NAMES, EVENT_TYPES, isCriticalEvent } from '../../src/model/event-types.js';
import { Outbox } from '../../src/reporting/outbox.js';
import { silentLogger } from '../../src/util/logger.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('event types', () => {
  it('the outbox drops past its limit exactly the types the table calls non-critical', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-evtypes-'));
    dirs.push(dataDir);
    const outbox = new Outbox({ dataDir, logger: silentLogger(), alarmEvents: 1, maxEvents: 2 });
    await outbox.start();
    // the second emit raises outbox.alarm too: the outbox is then past its limit
    await outbox.emit('scan.completed', { cameras: 0, errors: 0, policyRevision: 'r' });
    await outbox.emit('scan.completed', { cameras: 0, errors: 0, policyRevision: 'r' });
    const kept: string[] = [];
    for (const type of EVENT_TYPE_NAMES) {
      const before = outbox.stats().dropped;
      // only the type matters here; what each carries is checked where real emitters run (CheckedEventSink)
      await outbox.emit(type, {} as EventData<typeof type>);
      if (outbox.stats().dropped === before) kept.push(type);
    }
    await outbox.stop();
    expect(kept).toEqual(EVENT_TYPE_NAMES.filter((t) => isCriticalEvent(t)));
    // both kinds exist, and what must never be lost is critical
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(EVENT_TYPE_NAMES.length);
    for (const type of ['decision.changed', 'enforcement.applied', 'audit.appended', 'block.released'] as const) {
      expect(EVENT_TYPES[type].critical).toBe(true);
    }
  });
});
