import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventData } from '../../src/model/event-sink.js';
import { EVENT_TYPE_NAMES, EVENT_TYPES, isCriticalEvent } from '../../src/model/event-types.js';
import { Outbox } from '../../src/reporting/outbox.js';
import { decisionSchema } from '../../src/reporting/schemas/camera-record.js';
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

  it('a decision.changed event checks its reasons as a camera record does', () => {
    const reason = { code: 'prohibited-zone', rule: 'cn-2025', article: 'Article 8', message: 'toilet' };
    const changed = (reasons: unknown[]) =>
      EVENT_TYPES['decision.changed'].data.safeParse({
        cameraId: 'cam-1',
        previousAction: 'allow',
        action: 'block',
        reasons,
        zone: 'toilet',
      }).success;
    expect(changed([reason])).toBe(true);
    expect(decisionSchema.safeParse({ action: 'block', reasons: [reason] }).success).toBe(true);
    // A reason without a code says nothing an operator can act on: refused by both.
    const blank = { ...reason, code: '' };
    expect(changed([blank])).toBe(false);
    expect(decisionSchema.safeParse({ action: 'block', reasons: [blank] }).success).toBe(false);
  });
});
