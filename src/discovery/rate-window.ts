export type RateVerdict = 'ok' | 'over-total' | 'over-sender';

/**
 * At most `perSecond` messages per one-second window over all senders, and `perSenderPerSecond` from one sender.
 * Senders are remembered only once admitted, so the map never holds more than `perSecond` entries whatever the
 * number of (spoofed) sources, and the check costs one map lookup: it runs before a datagram is parsed.
 */
export class RateWindow {
  private windowStart = -Infinity;
  private total = 0;
  private readonly perSender = new Map<string, number>();

  constructor(
    private readonly perSecond: number,
    private readonly perSenderPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  admit(sender: string): RateVerdict {
    const t = this.now();
    if (t - this.windowStart >= 1000) {
      this.windowStart = t;
      this.total = 0;
      this.perSender.clear();
    }
    if (this.total >= this.perSecond) return 'over-total';
    const count = this.perSender.get(sender) ?? 0;
    if (count >= this.perSenderPerSecond) return 'over-sender';
    this.total++;
    this.perSender.set(sender, count + 1);
    return 'ok';
  }

  /** Senders remembered in the current window (bounded by perSecond). */
  get senders(): number {
    return this.perSender.size;
  }
}
