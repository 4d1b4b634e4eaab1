/**
 * A memo table of at most `limit` entries that forgets the least recently used half, not everything: when the
 * young generation fills up it becomes the old one, and entries read from the old one move back to the young.
 * A working set below half the limit therefore never falls out between scans.
 */
export class BoundedMemo<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly generation: number;

  constructor(limit: number) {
    this.generation = Math.max(1, Math.floor(limit / 2));
  }

  get(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined || this.old.size === 0) return v;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: K, value: V): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  /** Entries held, an upper bound: a key read back from the old generation is counted in both. */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
