/**
 * ZoneClassifier: the verdict of each tag under one pack and one vendor placeholder list, memoised by tag and
 * by raw scope string. The evaluator asks it for the winning verdict of a camera's tags and scopes.
 */
import type { Action } from '../inventory/types.js';
import { BoundedMemo, SeenOnce } from './bounded-memo.js';
import type { PolicyPack } from './pack-schema.js';
import { analyseTag, ignoresAllow, TagAnalysis, type ZoneHit } from './tag-analysis.js';
import { RANK, rawAction } from './zone-rule.js';

/** The most severe usable hit of one tag under one pack and placeholder list (interned, read-only). */
export interface TagVerdict {
  hit: ZoneHit | undefined;
  action: Action;
  modified: boolean;
}

const CACHE_LIMIT = 50_000;

const SCOPE_TAG = /^onvif:\/\/www\.onvif\.org\/((?:location|name)(?:\/.*)?)$/i;

/** The location (or name) tag of a raw scope, null for other scopes; decoding happens later, in normalizeText. */
function scopeTag(scope: string): string | null {
  return SCOPE_TAG.exec(scope.trim())?.[1] ?? null;
}

/** Location (and name) tags from raw scopes. */
export function tagsFromScopes(scopes: readonly string[]): string[] {
  const out: string[] = [];
  for (const scope of scopes) {
    const tag = scopeTag(scope);
    if (tag !== null) out.push(tag);
  }
  return out;
}

/** The evaluator's analysis, reused for every tag (verdictOf reads it before the next tag). */
const SCRATCH = new TagAnalysis();
const NO_VERDICT: TagVerdict = { hit: undefined, action: 'allow', modified: false };
/** Verdicts are interned per hit, so memoising a tag keeps no per-tag objects alive. */
const internedVerdicts = new WeakMap<ZoneHit, TagVerdict[]>();

function verdict(hit: ZoneHit | undefined, action: Action, modified: boolean): TagVerdict {
  if (!hit) return NO_VERDICT;
  let variants = internedVerdicts.get(hit);
  if (!variants) {
    variants = [];
    internedVerdicts.set(hit, variants);
  }
  const i = RANK[action] * 2 + (modified ? 1 : 0);
  let v = variants[i];
  if (!v) {
    v = { hit, action, modified };
    variants[i] = v;
  }
  return v;
}

function verdictOf(analysis: TagAnalysis, pack: PolicyPack, placeholders: readonly string[]): TagVerdict {
  let best: ZoneHit | undefined;
  let bestAction: Action = 'allow';
  let bestModified = false;
  let allowIgnored: boolean | undefined;
  for (let i = 0; i < analysis.hitCount; i++) {
    const hit = analysis.hits[i] as ZoneHit;
    let action = rawAction(pack, hit.zone);
    if (action === 'allow') {
      allowIgnored ??= ignoresAllow(analysis, placeholders);
      if (allowIgnored) continue;
    }
    const modified = action === 'block' && analysis.modified && pack.modifiers.enabled;
    if (modified) action = pack.modifiers.downgradeTo;
    if (!best || RANK[action] > RANK[bestAction] || (RANK[action] === RANK[bestAction] && hit.weight > best.weight)) {
      best = hit;
      bestAction = action;
      bestModified = modified;
    }
  }
  return verdict(best, bestAction, bestModified);
}

/**
 * Reading one character makes V8 flatten a concatenated string (built with `+` or a template) once, so the
 * memo's hash and every later read run over flat memory; a no-op for strings that are already flat.
 */
function flatten(s: string): void {
  s.charCodeAt(0);
}

/** Whether verdict `a` beats the best so far: more severe, or as severe and more specific. */
export function beats(a: TagVerdict, best: TagVerdict | undefined): boolean {
  if (!a.hit) return false;
  if (!best?.hit) return true;
  return RANK[a.action] > RANK[best.action] || (RANK[a.action] === RANK[best.action] && a.hit.weight > best.hit.weight);
}

/**
 * Tag verdicts of one pack and one placeholder list, memoised by tag and by raw scope string. Held per pack
 * object (WeakMap), so a new or changed pack never sees another pack's verdicts.
 */
export class ZoneClassifier {
  private readonly byTag = new BoundedMemo<string, TagVerdict>(CACHE_LIMIT);
  private readonly byScope = new BoundedMemo<string, TagVerdict>(CACHE_LIMIT);
  /** Tags and scopes are memoised on their second sighting (a unique tag is analysed and forgotten). */
  private readonly seenTags = new SeenOnce();
  private readonly seenScopes = new SeenOnce();
  readonly placeholders: readonly string[];

  constructor(
    readonly pack: PolicyPack,
    placeholders: readonly string[],
  ) {
    this.placeholders = [...placeholders];
  }

  verdict(tag: string): TagVerdict {
    flatten(tag);
    let v = this.byTag.get(tag);
    if (!v) {
      v = verdictOf(analyseTag(tag, SCRATCH), this.pack, this.placeholders);
      if (this.seenTags.checkAndAdd(tag)) this.byTag.set(tag, v);
    }
    return v;
  }

  /** The verdict of a raw scope; no hit for scopes other than location/ and name/. */
  scopeVerdict(scope: string): TagVerdict {
    flatten(scope);
    let v = this.byScope.get(scope);
    if (!v) {
      const tag = scopeTag(scope);
      v = tag === null ? NO_VERDICT : this.verdict(tag);
      if (this.seenScopes.checkAndAdd(scope)) this.byScope.set(scope, v);
    }
    return v;
  }

  /** The winning verdict over tags, then the location/name scopes; undefined when no tag is usable. */
  best(tags: readonly string[], scopes: readonly string[] | undefined): TagVerdict | undefined {
    let best: TagVerdict | undefined;
    for (const tag of tags) {
      const v = this.verdict(tag);
      if (beats(v, best)) best = v;
    }
    if (scopes) {
      for (const scope of scopes) {
        const v = this.scopeVerdict(scope);
        if (beats(v, best)) best = v;
      }
    }
    return best;
  }
}

const classifiers = new WeakMap<PolicyPack, Map<string, ZoneClassifier>>();
const CLASSIFIERS_PER_PACK = 64;

/** The classifier of a pack and a vendor's placeholder list (shared across calls). */
export function zoneClassifier(pack: PolicyPack, placeholders: readonly string[] = []): ZoneClassifier {
  let byPlaceholders = classifiers.get(pack);
  if (!byPlaceholders) {
    byPlaceholders = new Map();
    classifiers.set(pack, byPlaceholders);
  }
  const key = JSON.stringify(placeholders);
  let c = byPlaceholders.get(key);
  if (!c) {
    if (byPlaceholders.size >= CLASSIFIERS_PER_PACK) byPlaceholders.clear();
    c = new ZoneClassifier(pack, placeholders);
    byPlaceholders.set(key, c);
  }
  return c;
}
