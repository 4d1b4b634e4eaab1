import { resolve } from 'node:path';
import { loadActiveProfileSet, loadProfilesFrom } from '../../agent/active-profile-set.js';
import { loadConfig } from '../../config/load-config.js';
import { ONVIF_SCOPE_PREFIX } from '../../discovery/constants.js';
import { channelTags, locationTagsFromScopes } from '../../inventory/location-tags.js';
import type { CameraRecord, Reason } from '../../model/camera-records.js';
import {
  activePack,
  BUILTIN_REVISION,
  classifyZone,
  createVendorMatcher,
  evaluateRecords,
  type ZoneClassification,
} from '../../policy/index.js';
import type { ProfileSet } from '../../profiles/types.js';
import { UsageError } from '../../util/errors.js';
import { type CommandIO, type CommandSpec, type ParsedValues, stringsFlag } from '../command.js';

/** A scope as given, or a bare `location/…`, `name/…` or location path made into one. */
export function asScope(value: string): string {
  const v = value.trim();
  if (/^onvif:\/\//i.test(v)) return v;
  if (/^(location|name)(\/|$)/i.test(v)) return `${ONVIF_SCOPE_PREFIX}${v}`;
  return `${ONVIF_SCOPE_PREFIX}location/${v.replace(/^\/+/, '')}`;
}

export interface Explanation {
  policyRevision: string;
  pack: string;
  zone: string;
  action: CameraRecord['decision']['action'];
  source: CameraRecord['location']['source'];
  systemClass: string | null;
  /** The vendor profile the camera's identity matches (its placeholder locations count for severity only). */
  vendor: string | null;
  /** The term that decided the zone, and where it stands. */
  decidedBy: {
    tag: string;
    segment: string;
    words: string;
    level: string;
    zone: string;
    qualified: boolean;
    context?: string;
  } | null;
  reasons: Reason[];
  /** Every term that counted, per tag. */
  terms: Array<{ tag: string; segment: string; words: string; zone: string; level: string; note: string }>;
}

function note(hit: ZoneClassification['hits'][number]): string {
  const notes = [
    hit.qualified ? 'qualified as outside it' : '',
    hit.qualifier ? 'describes the term before it' : '',
    hit.severityOnly ? 'device name or placeholder: adds severity only' : '',
    hit.context ? `resolved by the site (${hit.context})` : '',
    hit.zone === 'unknown' ? 'a room the vocabulary does not know' : '',
  ];
  return notes.filter((n) => n.length > 0).join('; ');
}

/** What the camera reports of itself: it picks the vendor profile, as a scan's GetDeviceInformation does. */
export interface ExplainedDevice {
  manufacturer?: string;
  model?: string;
}

export function explain(
  scopes: readonly string[],
  channels: readonly string[],
  set: ProfileSet | undefined,
  now: Date,
  device: ExplainedDevice = {},
): Explanation {
  const tags = [
    ...locationTagsFromScopes(scopes),
    ...channels.flatMap((name) =>
      channelTags({ recordingToken: '', sourceId: '', name, location: '', description: '' }),
    ),
  ];
  const record: CameraRecord = {
    id: 'explain',
    kind: 'camera',
    endpoint: '',
    address: '',
    xaddr: '',
    scopes: [...scopes],
    location: { zone: 'unknown', source: 'none', tags },
    decision: { action: 'flag', reasons: [] },
    errors: [],
  };
  if (device.manufacturer !== undefined) record.manufacturer = device.manufacturer;
  if (device.model !== undefined) record.model = device.model;
  const pack = activePack(set);
  const [decided] = evaluateRecords([record], set, { now });
  // The terms are listed as the evaluation read them: with the matched vendor's placeholder locations.
  const vendor = createVendorMatcher(set?.vendors ?? [])(record);
  const classified = classifyZone(tags, { scopes, pack, placeholders: vendor?.quirks.placeholderLocations ?? [] });
  const d = classified.decidedBy;
  return {
    policyRevision: set?.revision ?? BUILTIN_REVISION,
    pack: pack.id,
    zone: decided?.location.zone ?? 'unknown',
    action: decided?.decision.action ?? 'flag',
    source: decided?.location.source ?? 'none',
    systemClass: decided?.systemClass ?? null,
    vendor: vendor?.id ?? null,
    decidedBy: d
      ? {
          tag: d.tag,
          segment: d.segment,
          words: d.words,
          level: d.level,
          zone: d.zone,
          qualified: d.qualified,
          ...(d.context ? { context: d.context } : {}),
        }
      : null,
    reasons: decided?.decision.reasons ?? [],
    terms: classified.hits.map((h) => ({
      tag: h.tag,
      segment: h.segment,
      words: h.words,
      zone: h.zone,
      level: h.level,
      note: note(h),
    })),
  };
}

export function formatExplanation(e: Explanation): string {
  const lines = [`zone     ${e.zone} (${e.action}, ${e.source}; pack ${e.pack}, revision ${e.policyRevision})`];
  const d = e.decidedBy;
  lines.push(
    d
      ? `decided  "${d.words}" (${d.level}-level ${d.zone}${d.qualified ? ', qualified as outside it' : ''}${d.context ? `, in a ${d.context} site` : ''}) in segment "${d.segment}" of ${d.tag}`
      : 'decided  no usable location term',
  );
  if (e.systemClass) lines.push(`class    ${e.systemClass}`);
  if (e.vendor) lines.push(`vendor   ${e.vendor}`);
  lines.push('reasons');
  if (e.reasons.length === 0) lines.push('  (none)');
  for (const r of e.reasons) lines.push(`  ${r.code}  [${r.article}]  ${r.message}`);
  lines.push('terms');
  if (e.terms.length === 0) lines.push('  (none)');
  for (const t of e.terms) {
    lines.push(`  ${t.tag}  "${t.words}" → ${t.zone} (${t.level})${t.note ? `  ${t.note}` : ''}`);
  }
  if (e.reasons.some((r) => ['filing-missing', 'signage-missing', 'system-class-missing'].includes(r.code))) {
    lines.push(
      'note     records rules apply as to a camera no site-profile entry names (filing, signage, system class)',
    );
  }
  return `${lines.join('\n')}\n`;
}

export const explainCommand: CommandSpec = {
  name: 'explain',
  summary:
    'Test location tags before typing them into cameras: the zone, the action, every reason with its article, ' +
    'and which term of which segment decided. Changes nothing and contacts no device.',
  options: {
    scope: {
      type: 'string',
      multiple: true,
      valueName: 'SCOPE',
      description: 'An ONVIF scope (onvif://www.onvif.org/location/…), or location/…, name/… or a bare location path',
    },
    channel: {
      type: 'string',
      multiple: true,
      valueName: 'NAME',
      description: 'An NVR channel name (the recording source name a recorder reports)',
    },
    manufacturer: {
      type: 'string',
      valueName: 'NAME',
      description: "The camera's manufacturer, as it reports it: picks the vendor profile (its placeholder locations)",
    },
    model: {
      type: 'string',
      valueName: 'NAME',
      description: "The camera's model, as it reports it (vendor profiles may match on it)",
    },
    profiles: {
      type: 'string',
      valueName: 'DIR',
      description: 'Device-profiles directory (default: the configured one)',
    },
    json: { type: 'boolean', description: 'Print the explanation as JSON' },
  },
  async run(values: ParsedValues, _positionals: string[], io: CommandIO): Promise<number> {
    const scopes = stringsFlag(values, 'scope').map(asScope);
    const channels = stringsFlag(values, 'channel');
    if (scopes.length === 0 && channels.length === 0) {
      throw new UsageError('camwarden explain: give at least one --scope or --channel');
    }
    const { config } = loadConfig(io.env, io.cwd);
    // --profiles tests a dir before it is deployed; without it, the tag is explained under the active set.
    const set =
      typeof values.profiles === 'string'
        ? await loadProfilesFrom(config, resolve(io.cwd, values.profiles))
        : await loadActiveProfileSet(config);
    const device: ExplainedDevice = {};
    if (typeof values.manufacturer === 'string') device.manufacturer = values.manufacturer;
    if (typeof values.model === 'string') device.model = values.model;
    const e = explain(scopes, channels, set, new Date(), device);
    io.stdout.write(values.json === true ? `${JSON.stringify(e, null, 2)}\n` : formatExplanation(e));
    return 0;
  },
};
