// Re-record after an intentional policy change: npm run record:policy-golden (test/policy/golden/README.md)
/**
 * Golden regression test of src/policy: recorded inputs and the outputs the policy gave them (./golden/*.jsonl,
 * see ./golden/README.md). Any difference is a decision change: re-record only in a commit that means to change
 * policy, and say why. Failures list the cases that differ (first few in full) rather than stopping at the first.
 */
import { describe, expect, it } from 'vitest';
import type { CameraRecord } from '../../src/model/camera-records.js';
import { classifyZone } from '../../src/policy/classify-zone.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { normalizeText } from '../../src/policy/normalize.js';
import { NOW } from './fixtures.js';
import {
  buildPack,
  buildProfiles,
  buildRecord,
  type Classified,
  type ClassifyCase,
  digest,
  type EvaluateCase,
  FIXTURES,
  fromOutcome,
  type NormalizeCase,
  readFixture,
  type SynonymCase,
  shareTag,
  summarize,
  TERMS,
  termTags,
  toOutcome,
} from './golden/corpus.js';

const SHOWN = 5;

/** Passes when nothing differs; otherwise fails with the count and the first few differences. */
function expectNoDifferences(what: string, total: number, diffs: unknown[]) {
  expect(diffs.slice(0, SHOWN), `${diffs.length} of ${total} ${what} differ from the recording`).toEqual([]);
}

function equal(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}

describe('policy golden corpus (recorded outputs)', () => {
  it('normalizeText', () => {
    const { cases } = readFixture<NormalizeCase>(FIXTURES.normalize);
    expect(cases.length).toBeGreaterThan(1000);
    const diffs = cases.flatMap(([input, want], i) => {
      const got = normalizeText(input);
      return got === want ? [] : [{ case: i, input, want, got }];
    });
    expectNoDifferences('normalizeText cases', cases.length, diffs);
  });

  it('classifyZone on tags, scopes, placeholders and packs', () => {
    const { cases } = readFixture<ClassifyCase>(FIXTURES.classify);
    expect(cases.length).toBeGreaterThan(100);
    const diffs = cases.flatMap(({ tags, scopes, placeholders, pack, out: want }, i) => {
      const got = shareTag(
        classifyZone(tags, { scopes, placeholders, ...(pack ? { pack: buildPack(pack) } : {}) }),
        tags,
      );
      return equal(got, want) ? [] : [{ case: i, tags, scopes, placeholders, pack, want, got }];
    });
    expectNoDifferences('classifyZone cases', cases.length, diffs);
  });

  it('classifyZone on every synonym and modifier in every spelling', () => {
    const { cases } = readFixture<SynonymCase>(FIXTURES.synonyms);
    // The table is only "every synonym" while it lists the current ones: a term added or removed needs a re-record.
    expect
      .soft(
        cases.map((c) => c.term),
        'the recorded terms are the current TERMS',
      )
      .toEqual(TERMS);
    const diffs: { term: string; tag: string; want: Classified; got: Classified }[] = [];
    let total = 0;
    for (const { term, outs, index } of cases) {
      for (const [k, tag] of termTags(term).entries()) {
        total++;
        const want = outs[Number.parseInt(index.charAt(k), 36)];
        const got = shareTag(classifyZone([tag]), [tag]);
        if (!want || JSON.stringify(toOutcome(got)) !== JSON.stringify(want)) {
          diffs.push({ term, tag, want: want ? fromOutcome(want) : ({} as Classified), got });
        }
      }
    }
    expect(total).toBe(TERMS.length * 24);
    expectNoDifferences('synonym-table tags', total, diffs);
  });

  it('evaluateRecords byte for byte, across profile sets evaluated in turn and again on warm caches', () => {
    const { cases } = readFixture<EvaluateCase>(FIXTURES.evaluate);
    expect(cases.length).toBeGreaterThan(50);
    const diffs: unknown[] = [];
    let passes = 0;
    for (const [i, { records, sets, out, full }] of cases.entries()) {
      const built = records.map(buildRecord);
      const profiles = sets.map((s) => (s ? buildProfiles(s) : undefined));
      for (const [pass, p] of [...profiles, ...profiles].entries()) {
        const k = pass % profiles.length;
        passes++;
        const got = evaluateRecords(built, p, { now: NOW });
        const want = out[k];
        if (want && digest(got) === want.sha256) continue;
        diffs.push({
          case: i,
          set: k,
          pass: pass < profiles.length ? 'first' : 'second (warm caches)',
          ...describeDifference(got, want?.decisions ?? [], full?.[k]),
        });
      }
    }
    expectNoDifferences('evaluateRecords passes', passes, diffs);
  });
});

/** Which records differ: their short decisions, and what differs where when the case was recorded in full. */
function describeDifference(got: CameraRecord[], want: string[], wantFull: CameraRecord[] | undefined) {
  const gotShort = summarize(got);
  const records = [...Array(Math.max(got.length, want.length)).keys()].filter((r) => gotShort[r] !== want[r]);
  if (records.length === 0) return { note: 'every record is as recorded: the array or its key order differs' };
  return {
    records: records.map((r) => ({
      record: r,
      want: want[r],
      got: gotShort[r],
      ...(wantFull ? { fields: fieldDifferences(wantFull[r], got[r]) } : { gotRecord: got[r] }),
    })),
  };
}

/** Paths where two JSON values differ (as JSON.stringify writes them; `(key order)` when only the order does). */
function fieldDifferences(want: unknown, got: unknown, path = '$'): { path: string; want?: unknown; got?: unknown }[] {
  if (JSON.stringify(want) === JSON.stringify(got)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(want) || !isObject(got) || Array.isArray(want) !== Array.isArray(got)) return [{ path, want, got }];
  const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])];
  const diffs = keys.flatMap((k) =>
    fieldDifferences(want[k], got[k], Array.isArray(want) ? `${path}[${k}]` : `${path}.${k}`),
  );
  return diffs.length > 0 ? diffs : [{ path: `${path} (key order)` }];
}
