/**
 * The daemon's retention module: a node-cron schedule (noOverlap) for `run`, plus on-demand runs sharing one
 * in-flight guard. Inputs are read fresh for every run through `inputs()`, so profile reloads and new scans apply.
 */
import { type ScheduledTask, schedule } from 'node-cron';
import type { CameraRecord } from '../inventory/types.js';
import type { EventSink } from '../reporting/event-sink.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { retentionMismatches } from './mismatch.js';
import { type SweepOptions, type SweepResult, sweep } from './sweep.js';

export interface SweeperDeps {
  /** node-cron expression (schedule.sweep). */
  expression: string;
  /** Sweep options for one run (root, layout, policy, cameras, holds, limits, sinks). */
  inputs: () => Promise<SweepOptions>;
  /** Last scan's records, for the MaximumRetentionTime comparison (optional). */
  records?: () => Promise<readonly CameraRecord[]>;
  events?: EventSink;
  logger?: Logger;
}

export class Sweeper {
  readonly name = 'retention';
  private task: ScheduledTask | undefined;
  private inFlight: Promise<SweepResult> | undefined;
  private abort: AbortController | undefined;
  private last: SweepResult | undefined;
  private runs = 0;
  private failures = 0;
  private readonly reportedMismatches = new Set<string>();

  constructor(private readonly deps: SweeperDeps) {}

  async start(): Promise<void> {
    this.task = schedule(
      this.deps.expression,
      async () => {
        await this.run().catch(() => undefined);
      },
      { name: 'retention-sweep', noOverlap: true },
    );
  }

  /** One sweep now, or the one already running. */
  run(): Promise<SweepResult> {
    if (this.inFlight !== undefined) return this.inFlight;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    const p = (async () => {
      const opts = await this.deps.inputs();
      const result = await sweep({ ...opts, signal, ...(this.deps.events ? { events: this.deps.events } : {}) });
      await this.checkMismatches(opts);
      return result;
    })()
      .then(
        (r) => {
          this.runs++;
          this.last = r;
          return r;
        },
        (err: unknown) => {
          this.failures++;
          this.deps.logger?.error({ err: errorMessage(err) }, 'retention sweep failed');
          throw err;
        },
      )
      .finally(() => {
        this.inFlight = undefined;
      });
    this.inFlight = p;
    return p;
  }

  private async checkMismatches(opts: SweepOptions): Promise<void> {
    if (!this.deps.records || !this.deps.events) return;
    const found = retentionMismatches(await this.deps.records(), opts.policy, opts.cameras);
    for (const m of found) {
      const key = `${m.camera}|${m.kind}|${m.deviceRetention}|${m.policyDays}`;
      if (this.reportedMismatches.has(key)) continue; // report each finding once, not every hour
      this.reportedMismatches.add(key);
      await this.deps.events.emit('retention.mismatch', { ...m });
    }
  }

  /** Stops scheduling; a run in progress stops at the next entry and still journals and reports what it did. */
  async stop(): Promise<void> {
    await this.task?.destroy();
    this.task = undefined;
    this.abort?.abort();
    await this.inFlight?.catch(() => undefined);
  }

  health(): Record<string, number | boolean> {
    return {
      runs: this.runs,
      failures: this.failures,
      busy: this.inFlight !== undefined,
      lastDeleted: this.last?.deleted ?? 0,
      lastBytesFreed: this.last?.bytesFreed ?? 0,
      lastRefused: !!this.last?.refused,
    };
  }
}
