import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CameraRecord } from '../../src/inventory/types.js';
import { MemoryEventSink } from '../../src/reporting/event-sink.js';
import { BUILTIN_LAYOUTS } from '../../src/retention/layouts.js';
import { DEFAULT_RETENTION_POLICY } from '../../src/retention/policy.js';
import { Sweeper } from '../../src/retention/sweeper.js';
import { DAY, genericPath, tmp, writeFile } from './helpers.js';

describe('Sweeper', () => {
  it('runs on its cron schedule, joins an in-flight run, reports mismatches once, stops cleanly', async () => {
    const dir = tmp();
    const root = join(dir, 'rec');
    const now = Date.now();
    const old = genericPath(root, 'c1', now - 40 * DAY);
    writeFile(old, 10, now - DAY);
    writeFile(genericPath(root, 'c1', now - DAY), 10, now - DAY);
    const events = new MemoryEventSink();
    const records = [{ id: 'c1', maximumRetentionTime: 'P7D', systemClass: 'art7-gov' }] as unknown as CameraRecord[];
    const sweeper = new Sweeper({
      expression: '* * * * * *',
      events,
      records: async () => records,
      inputs: async () => ({
        root,
        dataDir: join(dir, 'data'),
        layout: BUILTIN_LAYOUTS.generic as NonNullable<(typeof BUILTIN_LAYOUTS)['generic']>,
        policy: DEFAULT_RETENTION_POLICY,
        cameras: [],
      }),
    });
    await sweeper.start();
    const deadline = Date.now() + 5000;
    while (events.ofType('retention.swept').length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(old)).toBe(false);
    const a = sweeper.run();
    expect(sweeper.run()).toBe(a);
    await a;
    await sweeper.stop();
    expect(events.ofType('retention.mismatch')).toHaveLength(1);
    expect(events.ofType('retention.mismatch')[0]).toMatchObject({ camera: 'c1', kind: 'device-below-floor' });
  });
});
