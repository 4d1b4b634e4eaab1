/** A scan-level error entry, as in ScanResult.errors. */
export interface SourcedError {
  source: string;
  code: string;
  message: string;
}

/**
 * Counts dropped discovery replies per error code and sender. At most `maxSenders` senders are named per code, the
 * rest are summed, so spoofed senders cannot grow it (or the scan's `errors`) without bound.
 */
export class DropTally {
  private readonly byCode = new Map<string, { bySender: Map<string, number>; others: number }>();

  constructor(private readonly maxSenders = 16) {}

  add(code: string, sender: string): void {
    let entry = this.byCode.get(code);
    if (!entry) {
      entry = { bySender: new Map(), others: 0 };
      this.byCode.set(code, entry);
    }
    const count = entry.bySender.get(sender);
    if (count !== undefined) entry.bySender.set(sender, count + 1);
    else if (entry.bySender.size < this.maxSenders) entry.bySender.set(sender, 1);
    else entry.others++; // senders past the cap are not remembered, only counted
  }

  total(code: string): number {
    const entry = this.byCode.get(code);
    if (!entry) return 0;
    let sum = entry.others;
    for (const n of entry.bySender.values()) sum += n;
    return sum;
  }

  /** One error per named sender and code, plus one for the rest; `what(count)` says what was dropped and why. */
  toErrors(code: string, what: (count: number) => string): SourcedError[] {
    const entry = this.byCode.get(code);
    if (!entry) return [];
    const out: SourcedError[] = [...entry.bySender].map(([sender, count]) => ({
      source: `discovery:${sender}`,
      code,
      message: `${what(count)} from ${sender}`,
    }));
    if (entry.others > 0) {
      out.push({
        source: 'discovery',
        code,
        message: `${what(entry.others)} from further senders (not named one by one)`,
      });
    }
    return out;
  }
}
