import type { Logger } from '../util/logger.js';
import type { RejectReason } from './ingest-item.js';

const LOG_WINDOW_MS = 60_000;
const LOGS_PER_WINDOW = 10;

/**
 * Refused messages, counted per reason (GET /api/rejects, /metrics). Each is logged, at most 10 per reason a
 * minute, so a flood of garbage cannot flood the log; the counts stay exact.
 */
export class RejectCounter {
  private readonly counts = new Map<RejectReason, number>();
  private readonly window = new Map<RejectReason, { start: number; logged: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  count(reason: RejectReason, context: { topic?: string; detail?: string; bytes?: number } = {}): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    const t = this.now();
    let w = this.window.get(reason);
    if (!w || t - w.start >= LOG_WINDOW_MS) {
      if (w && w.suppressed > 0) {
        this.logger.warn({ reason, suppressed: w.suppressed }, 'registry: more messages refused for this reason');
      }
      w = { start: t, logged: 0, suppressed: 0 };
      this.window.set(reason, w);
    }
    if (w.logged >= LOGS_PER_WINDOW) {
      w.suppressed++;
      return;
    }
    w.logged++;
    this.logger.warn(
      {
        reason,
        // topics and details come from the network: bounded before they reach the log
        ...(context.topic !== undefined ? { topic: context.topic.slice(0, 200) } : {}),
        ...(context.detail !== undefined ? { detail: context.detail.slice(0, 300) } : {}),
        ...(context.bytes !== undefined ? { bytes: context.bytes } : {}),
      },
      'registry: message refused',
    );
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}
