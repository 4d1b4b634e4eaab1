import { type ScheduledTask, schedule, validateDetailed } from 'node-cron';
import type { AgentModule } from '../model/agent-module.js';
import { CamwardenError, ErrorCode, errorMessage, UsageError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

function assertCronExpression(field: string, expression: string): void {
  const result = validateDetailed(expression);
  if (!result.valid) {
    const details = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new UsageError(`${field}: invalid cron expression ${JSON.stringify(expression)}: ${details}`);
  }
}

/**
 * A named periodic job. Scheduled runs and on-demand runs (remote requests) share one in-flight guard, so a
 * job never overlaps itself; an on-demand call during a run waits for that run's result instead.
 */
export class ScheduledJob<T> implements AgentModule {
  private task: ScheduledTask | undefined;
  private inFlight: Promise<T> | undefined;
  private runs = 0;
  private failures = 0;
  private lastDurationMs = 0;
  private stopped = true;

  constructor(
    readonly name: string,
    private readonly expression: string,
    private readonly job: () => Promise<T>,
    private readonly logger: Logger,
    private readonly options: { runOnStart?: boolean } = {},
  ) {
    assertCronExpression(`schedule.${name}`, expression);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.task = schedule(
      this.expression,
      async () => {
        await this.runNow().catch(() => undefined);
      },
      { name: this.name, noOverlap: true },
    );
    if (this.options.runOnStart) void this.runNow().catch(() => undefined);
  }

  /** Runs the job now, or joins the run in progress. Rejects with the job's error. */
  runNow(): Promise<T> {
    if (this.stopped) return Promise.reject(new CamwardenError(ErrorCode.Aborted, `${this.name}: stopped`));
    if (this.inFlight !== undefined) return this.inFlight;
    const started = Date.now();
    const run = this.job()
      .then(
        (value) => {
          this.runs++;
          return value;
        },
        (err: unknown) => {
          if (err instanceof CamwardenError && err.code === ErrorCode.Aborted) {
            this.logger.info({ job: this.name, reason: err.message }, 'scheduled job aborted');
          } else {
            this.failures++;
            this.logger.error({ job: this.name, err: errorMessage(err) }, 'scheduled job failed');
          }
          throw err;
        },
      )
      .finally(() => {
        this.lastDurationMs = Date.now() - started;
        this.inFlight = undefined;
      });
    this.inFlight = run;
    return run;
  }

  /** Stops scheduling and waits for a run in progress to finish (each job aborts safely on its own). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.task?.destroy();
    this.task = undefined;
    await this.inFlight?.catch(() => undefined);
  }

  health(): Record<string, number | boolean> {
    return {
      runs: this.runs,
      failures: this.failures,
      lastDurationMs: this.lastDurationMs,
      busy: this.inFlight !== undefined,
    };
  }
}
