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

/**
 * Admission filter for a memo: remembers (approximately) which keys were seen once, so a key is memoised on
 * its second sighting. A scan full of never-repeated tags then costs no memo inserts and keeps nothing alive,
 * while tags seen on every scan are memoised from the second one on. False positives only admit a key early.
 */
export class SeenOnce {
  private readonly bits: Uint32Array;
  private readonly mask: number;
  private added = 0;

  constructor(
    log2Bits = 18,
    private readonly resetAfter = 1 << (log2Bits - 4),
  ) {
    this.bits = new Uint32Array(1 << (log2Bits - 5));
    this.mask = (1 << log2Bits) - 1;
  }

  /** Whether `key` was (probably) seen before; records it either way. */
  checkAndAdd(key: string): boolean {
    // FNV-1a over the length and the last 32 UTF-16 code units (where tags of one site differ; keys that
    // collide are merely admitted early); two bit positions from one hash.
    let h = Math.imul(0x811c9dc5 ^ key.length, 0x01000193);
    for (let i = Math.max(0, key.length - 32); i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    const a = h & this.mask;
    const b = (h >>> 14) & this.mask;
    const seen = this.has(a) && this.has(b);
    if (!seen) {
      // Cleared now and then so the filter never fills up (a full filter would admit everything).
      if (++this.added > this.resetAfter) {
        this.bits.fill(0);
        this.added = 1;
      }
      this.set(a);
      this.set(b);
    }
    return seen;
  }

  private has(bit: number): boolean {
    return ((this.bits[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
  }

  private set(bit: number): void {
    this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) | (1 << (bit & 31));
  }
}
