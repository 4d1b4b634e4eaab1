/**
 * The installer corpus (./corpus/installer-tags.txt): location tags written the way integrators and vendor UIs
 * store them, each with the zone and action it must get. Besides every expected answer, two invariants hold for
 * the whole corpus: no prohibited room ever comes out `allow`, and no trap (a lawful camera whose name merely
 * contains a room word) is ever blocked, since firewalling a lawful Art 7 camera is itself a violation risk.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyZone } from '../../src/policy/classify-zone.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { PROHIBITED_ROOM_IDS } from '../../src/policy/vocabulary/zone-ids.js';
import { camera, NOW } from './fixtures.js';

interface Case {
  line: number;
  category: string;
  zone: string;
  action: string;
  tags: string[];
}

/** `category | zone | action | tag || tag …`; `#` starts a comment line. */
function readCorpus(): Case[] {
  const text = readFileSync(new URL('./corpus/installer-tags.txt', import.meta.url), 'utf8');
  return text.split('\n').flatMap((raw, i) => {
    if (raw.trim() === '' || raw.startsWith('#')) return [];
    const [category, zone, action, tags] = raw.split(' | ');
    if (!category || !zone || !action || !tags) throw new Error(`installer-tags.txt:${i + 1}: malformed line`);
    return [{ line: i + 1, category, zone, action, tags: tags.split(' || ') }];
  });
}

const CASES = readCorpus();
const PROHIBITED = new Set<string>(PROHIBITED_ROOM_IDS);

describe('installer corpus', () => {
  it('has at least 300 cases in every category the matcher must handle', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(300);
    const categories = new Set(CASES.map((c) => c.category));
    for (const category of [
      'fails-open',
      'modifier-qualifies',
      'modifier-elsewhere',
      'trap',
      'spelling',
      'plural',
      'pinyin',
      'encoding',
      'nvr-channel',
      'vendor-ui',
      'placeholder',
      'public',
      'art10',
      'privacy-sensitive',
      'context',
      'unknown-room',
      'canonical',
    ]) {
      expect(categories, category).toContain(category);
    }
  });

  it.each(CASES.map((c) => [`${c.line} ${c.category}: ${c.tags.join(' + ')}`, c] as const))('%s', (_name, c) => {
    const got = classifyZone(c.tags);
    expect(`${got.zone} ${got.action}`).toBe(`${c.zone} ${c.action}`);
  });

  it('no prohibited room comes out allow, through the whole evaluation too', () => {
    const rooms = CASES.filter((c) => PROHIBITED.has(c.zone));
    expect(rooms.length).toBeGreaterThan(150);
    const records = rooms.map((c, i) =>
      camera({ id: `cam-${i}`, serial: `S${i}`, location: { zone: 'unknown', source: 'none', tags: c.tags } }),
    );
    const allowed = evaluateRecords(records, undefined, { now: NOW }).flatMap((r, i) =>
      r.decision.action === 'allow' ? [rooms[i]?.tags.join(' + ')] : [],
    );
    expect(allowed).toEqual([]);
  });

  it('no trap is blocked', () => {
    const traps = CASES.filter((c) => c.category === 'trap');
    expect(traps.length).toBeGreaterThan(20);
    expect(traps.filter((c) => classifyZone(c.tags).action === 'block').map((c) => c.tags.join(' + '))).toEqual([]);
  });
});
