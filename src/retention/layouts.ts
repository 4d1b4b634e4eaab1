/**
 * Recording layouts: the two built-ins, generic and frigate (available without any profiles), and the compiler
 * that turns a layout's segment patterns into anchored matchers. Only names a layout matches are ever candidates.
 */
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { RecordingLayout } from './layout-schema.js';

/** Named fields a segment pattern may use; anything else in braces is a typo, not a literal. */
export const LAYOUT_FIELDS = ['camera', 'YYYY', 'MM', 'DD', 'hh', 'mm', 'ss', 'ext'] as const;
export type LayoutField = (typeof LAYOUT_FIELDS)[number];

export const FIELD_RE = /\{([^{}]*)\}/g;

/** Fields used by one segment pattern, in order. */
export function segmentFields(segment: string): string[] {
  return [...segment.matchAll(FIELD_RE)].map((m) => m[1] ?? '');
}

export const BUILTIN_LAYOUTS: Readonly<Record<string, RecordingLayout>> = {
  generic: {
    id: 'generic',
    description: '<root>/<cameraId>/<YYYY-MM-DD>/<HH>-<MM>-<SS><anything>.<ext> (UTC)',
    segments: ['{camera}', '{YYYY}-{MM}-{DD}', '{hh}-{mm}-{ss}*.{ext}'],
    dateDirDepth: 1,
  },
  frigate: {
    id: 'frigate',
    description: 'Frigate NVR: <root>/<YYYY-MM-DD>/<HH>/<camera>/<MM>.<SS>.mp4 (UTC)',
    segments: ['{YYYY}-{MM}-{DD}', '{hh}', '{camera}', '{mm}.{ss}.mp4'],
    dateDirDepth: 0,
  },
};

/** Fields parsed out of one path, as far as the walk has come. */
export type PathFields = { camera?: string } & Partial<Record<'YYYY' | 'MM' | 'DD' | 'hh' | 'mm' | 'ss', number>>;

export type CompiledSegment = { regex: RegExp; fields: LayoutField[] };

export interface CompiledLayout {
  segments: CompiledSegment[];
  dateDirDepth: number | undefined;
  /** Depth whose value is the camera directory name. */
  cameraDepth: number;
}

/** Every other field (MM, DD, hh, mm, ss) is two digits. */
const FIELD_REGEX: Partial<Record<LayoutField, string>> = {
  camera: '([^/\\0]+?)',
  YYYY: '(\\d{4})',
  ext: '([A-Za-z0-9]{1,10})',
};

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compileSegment(pattern: string): CompiledSegment {
  let source = '^';
  const fields: LayoutField[] = [];
  for (const part of pattern.split(/(\{[^{}]*\}|\*)/)) {
    if (part === '') continue;
    if (part === '*') source += '.*?';
    else if (part.startsWith('{') && part.endsWith('}')) {
      const f = part.slice(1, -1) as LayoutField;
      fields.push(f);
      source += FIELD_REGEX[f] ?? '(\\d{2})';
    } else source += escapeRegex(part);
  }
  source += '$';
  return { regex: new RegExp(source, 's'), fields };
}

export function compileLayout(layout: RecordingLayout): CompiledLayout {
  const segments = layout.segments.map(compileSegment);
  const cameraDepth = layout.segments.findIndex((s) => segmentFields(s).includes('camera'));
  if (cameraDepth < 0) throw new CamwardenError(ErrorCode.InvalidProfile, `layout ${layout.id}: no {camera} segment`);
  return { segments, dateDirDepth: layout.dateDirDepth, cameraDepth };
}

/**
 * Matches one name against one segment and merges its fields into a copy of `into`. Undefined when the name
 * does not match or a value is out of range (month 13, hour 24): such a name is unmatched, never a candidate.
 */
export function matchSegment(seg: CompiledSegment, name: string, into: PathFields): PathFields | undefined {
  const m = seg.regex.exec(name);
  if (!m) return undefined;
  const out: PathFields = { ...into };
  for (let i = 0; i < seg.fields.length; i++) {
    const f = seg.fields[i];
    const v = m[i + 1] ?? '';
    if (f === 'camera') {
      if (v === '' || v === '.' || v === '..') return undefined;
      out.camera = v;
    } else if (f !== undefined && f !== 'ext') out[f] = Number(v);
  }
  if (out.MM !== undefined && (out.MM < 1 || out.MM > 12)) return undefined;
  if (out.DD !== undefined && (out.DD < 1 || out.DD > 31)) return undefined;
  if (out.hh !== undefined && out.hh > 23) return undefined;
  if (out.mm !== undefined && out.mm > 59) return undefined;
  if (out.ss !== undefined && out.ss > 59) return undefined;
  if (out.YYYY !== undefined && out.MM !== undefined && out.DD !== undefined) {
    const d = new Date(Date.UTC(out.YYYY, out.MM - 1, out.DD));
    if (d.getUTCDate() !== out.DD || d.getUTCFullYear() !== out.YYYY) return undefined; // Feb 30, year < 100
  }
  return out;
}

/** UTC epoch ms of the path timestamp; undefined without a complete date. */
export function pathTimestamp(f: PathFields): number | undefined {
  if (f.YYYY === undefined || f.MM === undefined || f.DD === undefined) return undefined;
  return Date.UTC(f.YYYY, f.MM - 1, f.DD, f.hh ?? 0, f.mm ?? 0, f.ss ?? 0);
}

/** Latest possible timestamp of anything below a directory whose fields are `f` (end of its day or hour). */
export function latestTimestampBelow(f: PathFields): number | undefined {
  const start = pathTimestamp(f);
  if (start === undefined) return undefined;
  if (f.hh === undefined) return start + 86_400_000 - 1;
  if (f.mm === undefined) return start + 3_600_000 - 1;
  if (f.ss === undefined) return start + 60_000 - 1;
  return start;
}
