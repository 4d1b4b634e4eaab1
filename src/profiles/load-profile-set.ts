/**
 * Loads a device-profiles directory into a ProfileSet. Every file is validated, every problem collected (one
 * `file: path.to.field: message` line each), and only a fully valid set is returned: a half-valid set could
 * allow a camera the operator meant to block.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { formatIssues } from '../config/load-config.js';
import { recordingLayoutSchema } from '../retention/layout-schema.js';
import { retentionPolicyFrom } from '../retention/rules.js';
import { loadEd25519PublicKeys } from '../util/ed25519-keys.js';
import { ErrorCode, UsageError } from '../util/errors.js';
import { yamlParser } from '../util/lazy-yaml.js';
import { PARSED_ONCE } from '../util/parsed-once.js';
import { verifyBundle } from './bundle.js';
import { crossCheckSite } from './cross-check.js';
import { type PolicyPack, policyPackSchema } from './pack-schema.js';
import { legalHoldsFileSchema, siteProfileSchema, vendorProfileSchema } from './schemas.js';
import type { LegalHold, ProfileSet, RecordingLayout, SiteProfile, VendorProfile } from './types.js';
import { YamlCache, type YamlParse } from './yaml-cache.js';

const DEFAULT_PACK_ID = 'cn-2025';
const SUBDIRS = ['packs', 'vendors', 'site', 'layouts'] as const;
const LEGAL_HOLDS_FILE = 'legal-holds.yaml';

export interface LoadProfileOptions {
  /** Trusted Ed25519 keys (PEM); when set, the dir must be a verified signed bundle. */
  keysFile?: string | undefined;
  /** Overrides the site profile's policyPack. */
  packId?: string | undefined;
  /**
   * Where parsed YAML is kept between loads (yaml-cache.ts), e.g. in the data dir. Unused for a signed bundle: its
   * files are parsed from the verified text every time, never taken from a file the signature does not cover.
   */
  yamlCacheFile?: string | undefined;
}

export class ProfileValidationError extends UsageError {
  readonly problems: string[];
  constructor(dir: string, problems: string[]) {
    super(`invalid device-profiles in ${dir}:\n${problems.join('\n')}`, ErrorCode.InvalidProfile);
    this.name = 'ProfileValidationError';
    this.problems = problems;
  }
}

/** The problems a failed load reports: a validation error's list, else the error itself. */
export function problemsOf(err: unknown): string[] {
  if (err instanceof ProfileValidationError) return err.problems;
  return [`(profiles): (root): ${err instanceof Error ? err.message : String(err)}`];
}

interface SourceFile {
  rel: string;
  text: string;
  /** Set once every file is read (parseAll). */
  parsed?: YamlParse;
}

async function listYaml(dir: string, sub: string): Promise<string[]> {
  try {
    const names = await readdir(join(dir, sub));
    return names.filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** sha256 over the sorted relative paths and contents, first 16 hex. */
function profileRevision(files: readonly SourceFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))) {
    h.update(f.rel).update('\0').update(f.text).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** The YAML parser is loaded only when some file is not in the cache. */
async function parseYamlText(text: string): Promise<YamlParse> {
  const doc = yamlParser().parseDocument(text, { uniqueKeys: true });
  // prettyErrors puts "at line L, column C" on the first line of the message.
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map((e) => e.message.split('\n')[0] ?? '') };
  return { ok: true, value: doc.toJS() };
}

async function parseAll(files: readonly SourceFile[], cacheFile: string | undefined): Promise<void> {
  const cache = cacheFile === undefined ? undefined : await YamlCache.open(cacheFile);
  for (const f of files) f.parsed = cache ? await cache.parse(f.text, parseYamlText) : await parseYamlText(f.text);
  await cache?.save();
}

function parseYaml(file: SourceFile, problems: string[]): unknown {
  const parsed = file.parsed ?? { ok: false, errors: ['not parsed'] };
  if (!parsed.ok) {
    for (const e of parsed.errors) problems.push(`${file.rel}: (root): invalid YAML: ${e.replace(/:$/, '')}`);
    return undefined;
  }
  return parsed.value;
}

function validate<S extends z.ZodType>(schema: S, file: SourceFile, problems: string[]): z.infer<S> | undefined {
  const raw = parseYaml(file, problems);
  if (raw === undefined && problems.some((p) => p.startsWith(`${file.rel}: `))) return undefined;
  const res = schema.safeParse(raw, PARSED_ONCE);
  if (!res.success) {
    problems.push(...formatIssues(file.rel, res.error.issues.flatMap(splitUnknownKeys)).split('\n'));
    return undefined;
  }
  return res.data;
}

/** One problem per misspelt key, at the key's own path, so the line names the field. */
function splitUnknownKeys(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'unrecognized_keys') return [issue];
  return issue.keys.map((key) => ({ ...issue, keys: [key], path: [...issue.path, key], message: 'unknown key' }));
}

/** A site profile with no records: what a directory without one, or an evaluation without profiles, has. */
export const EMPTY_SITE: SiteProfile = {
  file: '',
  cameras: [],
  consents: [],
  filings: [],
  signage: [],
  geofences: [],
  recorderHooks: {},
  levers: {},
};

/** Loads and validates dir; throws ProfileValidationError listing every problem. */
export async function loadProfileSet(dir: string, opts: LoadProfileOptions = {}): Promise<ProfileSet> {
  const problems: string[] = [];
  let signed = false;
  if (opts.keysFile) {
    let keys: Awaited<ReturnType<typeof loadEd25519PublicKeys>> | undefined;
    try {
      keys = await loadEd25519PublicKeys(opts.keysFile);
    } catch (err) {
      problems.push(`${opts.keysFile}: (root): ${(err as Error).message}`);
    }
    if (keys) problems.push(...(await verifyBundle(dir, keys)));
    // Fail closed: nothing of an unverified bundle is even parsed.
    if (problems.length > 0) throw new ProfileValidationError(dir, problems);
    signed = true;
  }

  const files: SourceFile[] = [];
  const bySub: Record<(typeof SUBDIRS)[number], SourceFile[]> = { packs: [], vendors: [], site: [], layouts: [] };
  for (const sub of SUBDIRS) {
    for (const name of await listYaml(dir, sub)) {
      const rel = `${sub}/${name}`;
      let text: string;
      try {
        text = await readFile(join(dir, rel), 'utf8');
      } catch (err) {
        problems.push(`${rel}: (root): cannot read (${(err as Error).message})`);
        continue;
      }
      const f = { rel, text };
      files.push(f);
      bySub[sub].push(f);
    }
  }
  await parseAll(files, signed ? undefined : opts.yamlCacheFile);

  const packs: Record<string, PolicyPack> = {};
  for (const f of bySub.packs) {
    const pack = validate(policyPackSchema, f, problems);
    if (!pack) continue;
    if (packs[pack.id] !== undefined) problems.push(`${f.rel}: id: duplicate pack id "${pack.id}"`);
    else packs[pack.id] = pack;
  }

  const vendors: VendorProfile[] = [];
  const vendorFiles = new Map<string, string>();
  for (const f of bySub.vendors) {
    const v = validate(vendorProfileSchema, f, problems);
    if (!v) continue;
    const prev = vendorFiles.get(v.id);
    if (prev) {
      problems.push(`${f.rel}: id: duplicate vendor id "${v.id}" (also in ${prev})`);
      continue;
    }
    vendorFiles.set(v.id, f.rel);
    const match: VendorProfile['match'] = {};
    for (const k of ['manufacturer', 'model', 'firmware', 'hardwareId'] as const) {
      const m = v.match[k];
      if (m !== undefined) match[k] = m;
    }
    vendors.push({
      id: v.id,
      file: f.rel,
      priority: v.priority,
      description: v.description,
      match,
      quirks: v.quirks,
      levers: v.levers,
    });
  }
  // Highest priority first; ties by id so the order never depends on the file system.
  vendors.sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));

  const layouts: Record<string, RecordingLayout> = {};
  for (const f of bySub.layouts) {
    const l = validate(recordingLayoutSchema, f, problems);
    if (!l) continue;
    if (layouts[l.id]) {
      problems.push(`${f.rel}: id: duplicate layout id "${l.id}"`);
      continue;
    }
    layouts[l.id] = {
      id: l.id,
      description: l.description,
      segments: l.segments,
      ...(l.dateDirDepth === undefined ? {} : { dateDirDepth: l.dateDirDepth }),
    };
  }

  let site: SiteProfile = { ...EMPTY_SITE };
  let siteFile: z.infer<typeof siteProfileSchema> | undefined;
  const legalHolds: LegalHold[] = [];
  const siteFiles = bySub.site.filter((f) => f.rel !== `site/${LEGAL_HOLDS_FILE}`);
  if (siteFiles.length > 1) {
    problems.push(`site/: (root): exactly one site profile expected, found ${siteFiles.map((f) => f.rel).join(', ')}`);
  }
  const sf = siteFiles[0];
  if (sf) {
    siteFile = validate(siteProfileSchema, sf, problems);
    if (siteFile) {
      site = toSiteProfile(sf.rel, siteFile);
      legalHolds.push(...siteFile.legalHolds);
    }
  }
  const holdsFile = bySub.site.find((f) => f.rel === `site/${LEGAL_HOLDS_FILE}`);
  if (holdsFile) {
    const h = validate(legalHoldsFileSchema, holdsFile, problems);
    if (h) legalHolds.push(...h.legalHolds);
  }
  const holdIds = new Set<string>();
  for (const h of legalHolds) {
    if (holdIds.has(h.id)) problems.push(`site/${LEGAL_HOLDS_FILE}: legalHolds: duplicate legal hold id "${h.id}"`);
    holdIds.add(h.id);
  }

  const packId = opts.packId ?? siteFile?.policyPack ?? DEFAULT_PACK_ID;
  const pack = packs[packId];
  if (!pack) {
    const source =
      opts.packId !== undefined ? '(options)' : siteFile?.policyPack !== undefined && sf ? sf.rel : 'packs/';
    const field = opts.packId !== undefined ? 'packId' : siteFile?.policyPack !== undefined ? 'policyPack' : '(root)';
    const known = Object.keys(packs).sort();
    // The active pack's own file failed validation and is already reported; do not add a confusing "unknown".
    const activePackFileBroken = bySub.packs.some(
      (f) => f.rel.replace(/\.ya?ml$/, '') === `packs/${packId}` && problems.some((p) => p.startsWith(`${f.rel}: `)),
    );
    if (!activePackFileBroken) {
      problems.push(`${source}: ${field}: unknown policy pack "${packId}"; known: ${known.join(', ') || '(none)'}`);
    }
  }

  if (pack && siteFile && sf) problems.push(...crossCheckSite(sf.rel, siteFile, pack, packId));

  if (problems.length > 0 || !pack) throw new ProfileValidationError(dir, problems);
  const retention = retentionPolicyFrom(pack.retention, siteFile?.retention, legalHolds);

  return {
    revision: profileRevision(files),
    dir,
    packId,
    packs,
    vendors,
    site,
    retention,
    layouts,
    signed,
  };
}

function toSiteProfile(file: string, s: z.infer<typeof siteProfileSchema>): SiteProfile {
  const out: SiteProfile = {
    file,
    cameras: s.cameras.map((c) => {
      const match: SiteProfile['cameras'][number]['match'] = {};
      for (const k of ['endpoint', 'serial', 'mac', 'address', 'id'] as const) {
        const v = c.match[k];
        if (v !== undefined) match[k] = v;
      }
      return {
        match,
        overlays: c.overlays,
        ...(c.zone === undefined ? {} : { zone: c.zone }),
        ...(c.systemClass === undefined ? {} : { systemClass: c.systemClass }),
        ...(c.geo === undefined ? {} : { geo: stripUndefined(c.geo) }),
        ...(c.retentionDays === undefined ? {} : { retentionDays: c.retentionDays }),
        ...(c.recordingName === undefined ? {} : { recordingName: c.recordingName }),
        ...(c.name === undefined ? {} : { name: c.name }),
      };
    }),
    consents: s.consents.map((c) => stripUndefined(c)),
    filings: s.filings,
    signage: s.signage.map((x) => stripUndefined(x)),
    geofences: s.geofences.map((g) => ({
      id: g.id,
      kind: g.kind,
      bufferMeters: g.bufferMeters,
      ...(g.polygon ? { polygon: g.polygon.map((p) => stripUndefined(p)) } : {}),
      ...(g.center ? { center: stripUndefined(g.center) } : {}),
      ...(g.radiusMeters === undefined ? {} : { radiusMeters: g.radiusMeters }),
    })),
    recorderHooks: {
      ...(s.recorderHooks.stop ? { stop: stripUndefined(s.recorderHooks.stop) } : {}),
      ...(s.recorderHooks.start ? { start: stripUndefined(s.recorderHooks.start) } : {}),
    },
    levers: stripUndefined(s.levers),
  };
  if (s.defaultSystemClass) out.defaultSystemClass = s.defaultSystemClass;
  return out;
}

/** exactOptionalPropertyTypes: zod yields `key: undefined` for absent optionals; the contract wants them absent. */
function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** For `profiles check` and remote dry runs: never throws for invalid content. */
export async function validateProfileDir(
  dir: string,
  opts: LoadProfileOptions = {},
): Promise<{ ok: boolean; problems: string[]; revision?: string; set?: ProfileSet }> {
  try {
    const set = await loadProfileSet(dir, opts);
    return { ok: true, problems: [], revision: set.revision, set };
  } catch (err) {
    if (err instanceof ProfileValidationError) return { ok: false, problems: err.problems };
    return { ok: false, problems: [`${dir}: (root): ${(err as Error).message}`] };
  }
}
