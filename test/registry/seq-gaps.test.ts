import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceStream, type SeqGap } from '../../src/registry/seq-gaps.js';

const NOW = '2026-11-29T10:00:00.000Z';

/** Replays batches through advanceStream as the store does, keeping the gaps as a list. */
function replay(batches: number[][]): { max: number; gaps: SeqGap[] } {
  let max = 0;
  let gaps: SeqGap[] = [];
  for (const seqs of batches) {
    const change = advanceStream(max, gaps, seqs, NOW);
    gaps = [...gaps.filter((g) => !change.remove.includes(g)), ...change.add].sort((a, b) => a.from - b.from);
    max = change.max;
  }
  return { max, gaps };
}

describe('advanceStream', () => {
  it('opens a gap past max + 1, shrinks and splits it as late events arrive', () => {
    expect(advanceStream(0, [], [1, 2, 3], NOW)).toEqual({ max: 3, remove: [], add: [] });
    expect(advanceStream(3, [], [7], NOW)).toEqual({ max: 7, remove: [], add: [{ from: 4, to: 6, detectedAt: NOW }] });
    const gap = { from: 4, to: 9, detectedAt: 'earlier' };
    expect(advanceStream(10, [gap], [6], NOW)).toEqual({
      max: 10,
      remove: [gap],
      add: [
        { from: 4, to: 5, detectedAt: 'earlier' },
        { from: 7, to: 9, detectedAt: 'earlier' },
      ],
    });
    expect(advanceStream(10, [gap], [4, 9], NOW).add).toEqual([{ from: 5, to: 8, detectedAt: 'earlier' }]);
    expect(advanceStream(5, [{ from: 5, to: 5, detectedAt: 'e' }], [5], NOW).add).toEqual([]);
    // a boot first heard of at seq 4: 1-3 were missed
    expect(advanceStream(0, [], [4], NOW).add).toEqual([{ from: 1, to: 3, detectedAt: NOW }]);
  });

  it('ends with exactly the seqs never received as gaps, whatever the order and batching (model check)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 10 }),
        (seqs, sizes, dupes) => {
          const received = [...seqs, ...seqs.slice(0, dupes)];
          const batches: number[][] = [];
          for (let i = 0, k = 0; i < received.length; k++) {
            const n = sizes[k % sizes.length] ?? 1;
            batches.push(received.slice(i, i + n));
            i += n;
          }
          const { max, gaps } = replay(batches);
          expect(max).toBe(Math.max(...seqs));
          const missing = new Set<number>();
          for (const g of gaps) {
            expect(g.from).toBeLessThanOrEqual(g.to);
            for (let s = g.from; s <= g.to; s++) {
              expect(missing.has(s)).toBe(false);
              missing.add(s);
            }
          }
          const expected = new Set<number>();
          for (let s = 1; s <= max; s++) if (!seqs.includes(s)) expected.add(s);
          expect([...missing].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
        },
      ),
      { numRuns: 500 },
    );
  });
});
