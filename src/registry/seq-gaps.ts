/** A range of `seq` not received (yet) in one (gateway, bootId) stream. */
export interface SeqGap {
  from: number;
  to: number;
  detectedAt: string;
}

export interface StreamAdvance {
  max: number;
  remove: SeqGap[];
  add: SeqGap[];
}

/**
 * How a stream's gaps change when `seqs` arrive (pure). `max` is the highest seq stored so far (0 = none);
 * `gaps` are the stored gaps that may contain any of `seqs`. A seq beyond `max + 1` opens a gap; a seq inside a
 * gap (a late delivery, not a loss) shrinks or splits it. Streams start at seq 1, so events missed before the
 * registry first heard from a boot count as a gap too.
 */
export function advanceStream(
  max: number,
  gaps: readonly SeqGap[],
  seqs: readonly number[],
  now: string,
): StreamAdvance {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const add: SeqGap[] = [];
  const remove: SeqGap[] = [];
  const late = sorted.filter((s) => s <= max);
  for (const gap of gaps) {
    const inside = late.filter((s) => s >= gap.from && s <= gap.to);
    if (inside.length === 0) continue;
    remove.push(gap);
    let from = gap.from;
    for (const s of inside) {
      if (s > from) add.push({ from, to: s - 1, detectedAt: gap.detectedAt });
      from = s + 1;
    }
    if (from <= gap.to) add.push({ from, to: gap.to, detectedAt: gap.detectedAt });
  }
  let prev = max;
  for (const s of sorted) {
    if (s <= max) continue;
    if (s > prev + 1) add.push({ from: prev + 1, to: s - 1, detectedAt: now });
    prev = s;
  }
  return { max: prev, remove, add };
}
