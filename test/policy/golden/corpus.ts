/**
 * Shared by the golden test and its recorder: the fixture format, and the builders that turn the stored input
 * specs (plain JSON) into the CameraRecords, ProfileSets and PolicyPacks the policy takes. No policy logic here.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Action, CameraRecord, GeoPoint } from '../../../src/model/camera-records.js';
import type { ZoneClassification } from '../../../src/policy/classify-zone.js';
import { VOCABULARY } from '../../../src/policy/lexicon.js';
import { ZONE_IDS } from '../../../src/policy/vocabulary/zone-ids.js';
import type { PolicyPack } from '../../../src/profiles/pack-schema.js';
import type { Geofence, ProfileSet } from '../../../src/profiles/types.js';
import { camera, loadPack, profileSet, vendor } from '../fixtures.js';

/** Every vocabulary term (all scripts and roles) and every zone id, as the synonym table is recorded. */
export const TERMS: readonly string[] = [
  ...new Set([...VOCABULARY.flatMap((f) => f.terms), ...ZONE_IDS, ...ZONE_IDS.map((z) => z.replace(/-/g, ' '))]),
];

export const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
export const percentAll = (s: string) =>
  [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** The 24 tags of one term in the synonym table: 6 spellings × 4 placements, in this order. */
export function termTags(t: string): string[] {
  const spellings = [t, t.toUpperCase(), fullWidth(t), encodeURIComponent(t), percentAll(t), `${t}s`];
  return spellings.flatMap((s) => [`location/${s}`, `location/a/${s}-entrance`, `location/门口${s}`, `name/${s}`]);
}

/** Input specs ---------------------------------------------------------------------------------------------- */

export const PACK_IDS = ['cn-2025', 'eu-gdpr', 'us-ny'] as const;
/** Loaded once, like the packs of a running agent: perturbed packs share their untouched parts with these. */
const PACKS = new Map(PACK_IDS.map((id) => [id, loadPack(id)]));

/** A shipped pack with some zone actions, the modifier rule and the unknown rule perturbed. */
export interface PackSpec {
  base: (typeof PACK_IDS)[number];
  flips: [string, Action][];
  modifiersEnabled: boolean;
  downgradeTo: 'flag' | 'block';
  dropUnknown: boolean;
}

export function buildPack(spec: PackSpec): PolicyPack {
  const base = PACKS.get(spec.base);
  if (!base) throw new Error(`unknown pack ${spec.base}`);
  const zones = structuredClone(base.zones);
  for (const [z, action] of spec.flips) {
    const rule = zones[z] ?? zones.unknown;
    if (rule) zones[z] = { ...rule, action };
  }
  if (spec.dropUnknown) delete zones.unknown;
  return {
    ...base,
    id: `${base.id}-x`,
    zones,
    modifiers: { ...base.modifiers, enabled: spec.modifiersEnabled, downgradeTo: spec.downgradeTo },
  };
}

type Opt<T> = T | undefined;

export interface RecordSpec {
  who: { id: string; endpoint?: Opt<string>; serial?: Opt<string>; mac?: Opt<string>; address?: Opt<string> };
  manufacturer?: Opt<string>;
  tags: string[];
  scopes: string[];
  geo?: Opt<GeoPoint>;
  unverified: boolean;
  priorUnverified: boolean;
  retention?: Opt<string>;
  child: boolean;
  prior: { systemClass?: Opt<string>; vendorProfile?: Opt<string> };
}

const stripUndefined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function buildRecord(x: RecordSpec): CameraRecord {
  const base = camera({
    ...stripUndefined({ ...x.who, manufacturer: x.manufacturer }),
    scopes: x.scopes,
    location: { zone: 'unknown', source: 'none', tags: x.tags, ...(x.geo ? { geo: x.geo } : {}) },
    decision: {
      action: 'flag',
      reasons: x.priorUnverified ? [{ code: 'unverified-device', rule: 'r', article: 'Article 10', message: 'm' }] : [],
    },
    ...(x.retention ? { maximumRetentionTime: x.retention } : {}),
    ...stripUndefined(x.prior),
  } as Partial<CameraRecord>);
  if (!x.who.endpoint) delete (base as Partial<CameraRecord>).endpoint;
  if (!x.who.serial) delete (base as Partial<CameraRecord>).serial;
  if (x.unverified) base.unverified = true;
  if (x.child) {
    base.parent = 'nvr-1';
    delete base.manufacturer;
  }
  return base;
}

/** Site profile contents as drawn; some values are deliberately outside their types (unknown zones, bad dates). */
export interface ProfilesSpec {
  pack?: Opt<PackSpec>;
  defaultSystemClass?: Opt<string>;
  cameras: {
    match: Record<string, string>;
    zone?: Opt<string>;
    systemClass?: Opt<string>;
    geo?: Opt<GeoPoint>;
    overlays: string[];
    retentionDays?: Opt<number>;
    name?: Opt<string>;
  }[];
  consents: { id: string; issuingUnit: string; date: string; expires?: Opt<string>; cameras: string[] }[];
  filings: { number: string; date: string; goLiveDate: string; cameras: string[] }[];
  signage: { id: string; cameras: string[] }[];
  geofences: Geofence[];
  siteOverlays: string[];
  siteDays?: Opt<number>;
  vendorPlaceholders: string[];
}

export function buildProfiles(x: ProfilesSpec): ProfileSet {
  const set = profileSet({
    site: stripUndefined({
      defaultSystemClass: x.defaultSystemClass,
      cameras: x.cameras.map((c) => stripUndefined(c)),
      consents: x.consents.map((c) => stripUndefined(c)),
      filings: x.filings,
      signage: x.signage,
      geofences: x.geofences,
    }) as unknown as Partial<ProfileSet['site']>,
    vendors: [
      vendor('generic', 0, {}, x.vendorPlaceholders),
      vendor('hikvision', 10, { manufacturer: 'hikvision' }, ['city/hangzhou']),
      vendor('dahua', 10, { manufacturer: '^dahua$' }),
      vendor('broken', 20, { model: '(' }),
    ],
  });
  if (x.pack) {
    const pack = buildPack(x.pack);
    set.packId = pack.id;
    set.packs = { [pack.id]: pack };
  }
  set.retention.siteOverlays = [...x.siteOverlays];
  if (x.siteDays !== undefined) set.retention.siteDays = x.siteDays;
  return set;
}

/** Fixture files: JSON Lines, a header line and then one case per line (a re-record diff shows which cases changed). */

export interface Header {
  /** What the file holds, and how to re-record it. */
  about: string;
  /** fast-check seed and number of draws the cases came from (kept for the record; the cases are the inputs). */
  seed?: number;
  numRuns?: number;
}

/** [input, normalizeText(input)] */
export type NormalizeCase = [string, string];

/** A classifyZone output in short: the decision, the deciding tag and words, and every zone any term named. */
export interface Classified {
  zone: string;
  action: Action;
  modified: boolean;
  tag?: string;
  words?: string;
  zones: string[];
}

export function classified(c: ZoneClassification): Classified {
  return {
    zone: c.zone,
    action: c.action,
    modified: c.modified,
    ...(c.decidedBy ? { tag: c.decidedBy.tag, words: c.decidedBy.words } : {}),
    zones: [...new Set(c.hits.map((h) => h.zone))],
  };
}

export interface ClassifyCase {
  tags: string[];
  scopes: string[];
  placeholders: string[];
  pack: PackSpec | null;
  /** classifyZone output in short, `tag` written as `$i` where it is tags[i] (see shareTag). */
  out: Classified;
}

/** A classifyZone output of the synonym table, as a tuple: the table has ~10,000 of them. */
export type Outcome = [
  zone: string,
  action: Action,
  modified: boolean,
  tag: string | null,
  words: string | null,
  zones: string[],
];

export const toOutcome = (c: Classified): Outcome => [
  c.zone,
  c.action,
  c.modified,
  c.tag ?? null,
  c.words ?? null,
  c.zones,
];

export function fromOutcome([zone, action, modified, tag, words, zones]: Outcome): Classified {
  return { zone, action, modified, ...(tag === null ? {} : { tag }), ...(words === null ? {} : { words }), zones };
}

/** One line per term: the distinct outcomes of its 24 tags (termTags order), and which tag got which. */
export interface SynonymCase {
  term: string;
  /** Distinct outcomes, the tag written as `$0` (each classification has the one tag). */
  outs: Outcome[];
  /** One base-36 digit per tag: the index into outs. */
  index: string;
}

/** Per record of one evaluation, see summarize. */
export type DecisionSummary = string;
export interface EvaluateCase {
  records: RecordSpec[];
  /** Profile sets evaluated in turn (null: no profiles), then all of them once more on warm caches. */
  sets: (ProfilesSpec | null)[];
  /** Per set: SHA-256 of JSON.stringify(evaluateRecords(...)), and the decisions in short. */
  out: { sha256: string; decisions: DecisionSummary[] }[];
  /** For a few cases, the complete outputs per set, to show what differs when only a digest no longer matches. */
  full?: CameraRecord[][];
}

export const FIXTURES = {
  normalize: 'normalize-text.jsonl',
  classify: 'classify-zone.jsonl',
  synonyms: 'synonyms.jsonl',
  evaluate: 'evaluate-records.jsonl',
} as const;

/** The deciding tag, when it is one of the input tags, is stored as `$i` rather than repeated. */
export function shareTag(out: ZoneClassification, tags: readonly string[]): Classified {
  const short = classified(out);
  const i = short.tag === undefined ? -1 : tags.indexOf(short.tag);
  return i < 0 ? short : { ...short, tag: `$${i}` };
}

/** JSON that keeps NaN (a drawn latitude) as {"$number":"NaN"}, where JSON.stringify would write null. */
export function encodeJson(data: unknown): string {
  return JSON.stringify(data, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v));
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_k, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && '$number' in v
      ? Number(v.$number)
      : v,
  ) as T;
}

const fixturePath = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

export function readFixture<T>(name: string): { header: Header; cases: T[] } {
  const [head, ...lines] = readFileSync(fixturePath(name), 'utf8').trimEnd().split('\n');
  return { header: decodeJson<Header>(head ?? '{}'), cases: lines.map((l) => decodeJson<T>(l)) };
}

export function writeFixture(name: string, header: Header, cases: readonly unknown[]): void {
  writeFileSync(fixturePath(name), [header, ...cases].map((c) => `${encodeJson(c)}\n`).join(''));
}

export function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** `action zone reason-code,… #digest`: the decision in short, and 8 hex digits of the record's full JSON. */
export function summarize(out: readonly CameraRecord[]): DecisionSummary[] {
  return out.map((r) => {
    const codes = r.decision.reasons.map((x) => x.code).join(',');
    return `${r.decision.action} ${r.location.zone} ${codes} #${digest(r).slice(0, 8)}`;
  });
}
