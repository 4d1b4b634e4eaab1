/**
 * The daemon's retention module: sweeps on the `schedule.sweep` cron (never overlapping; an on-demand run joins
 * the one in progress), each with fresh options (the active profiles, the last scan), and each recorder's own
 * MaximumRetentionTime compared with the policy, every finding reported once.
 */
import type { CameraRecord } from '../model/camera-records.js';
import type { EventSink } from '../model/event-sink.js';
import { retentionMismatches } from '../retention/mismatch.js';
import { type SweepOptions, type SweepResult, sweep } from '../retention/sweep.js';
import type { Logger } from '../util/logger.js';
import type { RetentionPort } from './ports.js';
import { ScheduledJob } from './scheduled-job.js';

export interface RetentionModuleOptions {
  expression: string;
  /** Options for one sweep (buildSweepOptions), read fresh for every run. */
  options: () => Promise<SweepOptions>;
  /** The last scan's records. */
  records: () => readonly CameraRecord[];
  events: EventSink;
  logger: Logger;
}

export function createRetentionModule(opts: RetentionModuleOptions): RetentionPort {
  let abort = new AbortController();
  const reported = new Set<string>();
  const job = new ScheduledJob<SweepResult>(
    'sweep',
    opts.expression,
    async () => {
      const options = await opts.options();
      const result = await sweep({ ...options, signal: abort.signal });
      for (const m of retentionMismatches(opts.records(), options.policy, options.cameras)) {
        const key = `${m.camera}|${m.kind}|${m.deviceRetention}|${m.policyDays}`;
        if (reported.has(key)) continue; // once per finding, not every hour
        reported.add(key);
        await opts.events.emit('retention.mismatch', { ...m });
      }
      return result;
    },
    opts.logger,
  );
  return {
    name: 'retention',
    start: async () => {
      abort = new AbortController();
      await job.start();
    },
    // a sweep in progress stops at the next entry; what it did is still journaled, audited and reported
    stop: async () => {
      abort.abort();
      await job.stop();
    },
    health: () => job.health(),
    run: async (run = {}) => (run.dryRun ? sweep({ ...(await opts.options()), dryRun: true }) : job.runNow()),
  };
}
