/**
 * PUBACKs sent when the receiver says a message is settled (stored, or refused for good), in the order the
 * messages arrived, as MQTT requires of QoS 1 acknowledgements: a message settled early waits for those before it.
 */
export class OrderedAcks {
  private readonly slots: Array<{ messageId: number; settled: boolean }> = [];

  constructor(private readonly sendPuback: (messageId: number) => void) {}

  /** Reserves the next place in line; the returned function settles it (calling it again does nothing). */
  take(messageId: number): () => void {
    const slot = { messageId, settled: false };
    this.slots.push(slot);
    return () => {
      if (slot.settled) return;
      slot.settled = true;
      this.flush();
    };
  }

  /** Messages received and not yet acknowledged. */
  get waiting(): number {
    return this.slots.length;
  }

  private flush(): void {
    while (this.slots[0]?.settled) {
      const slot = this.slots.shift();
      if (slot) this.sendPuback(slot.messageId);
    }
  }
}
