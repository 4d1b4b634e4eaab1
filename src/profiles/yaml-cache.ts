import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-file.js';

/** A YAML file's text → what it parses to, or the parser's complaints (`line: message`, first line of each). */
export type YamlParse = { ok: true; value: unknown } | { ok: false; errors: string[] };

const FORMAT = 1;

/**
 * Parsing the profile YAML was the largest part of every `scan` start (tens of ms for ~25 KB, plus loading the
 * parser). Its result depends on the text alone, so it is kept by the text's SHA-256 in a file of the data dir
 * and reused while the text is unchanged; validation still runs on every load. Only values JSON keeps exactly are
 * kept (no NaN, Infinity or `__proto__` key), only successful parses, and only the entries of the last load, so the
 * file never grows. A missing, unreadable or foreign file is an empty cache; a failed write costs the next run a
 * parse, never a load.
 */
export class YamlCache {
  private readonly used = new Map<string, unknown>();
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly stored: Record<string, unknown>,
  ) {}

  static async open(file: string): Promise<YamlCache> {
    let stored: Record<string, unknown> = {};
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as { format?: unknown; entries?: unknown };
      if (data.format === FORMAT && isPlainObject(data.entries)) stored = data.entries;
    } catch {
      // no cache yet, or one we cannot use: parse afresh
    }
    return new YamlCache(file, stored);
  }

  /** The parse of `text`: from the cache, else from `parse` (kept when JSON holds it exactly). */
  async parse(text: string, parse: (text: string) => Promise<YamlParse>): Promise<YamlParse> {
    const key = createHash('sha256').update(text, 'utf8').digest('hex');
    if (Object.hasOwn(this.stored, key)) {
      const value = this.stored[key];
      this.used.set(key, value);
      return { ok: true, value };
    }
    const result = await parse(text);
    if (result.ok && isExactJson(result.value)) {
      this.used.set(key, result.value);
      this.changed = true;
    }
    return result;
  }

  /** Writes the entries of this load when they differ from the file's (best effort). */
  async save(): Promise<void> {
    if (!this.changed && this.used.size === Object.keys(this.stored).length) return;
    const entries = Object.fromEntries(this.used);
    await writeFileAtomic(this.file, JSON.stringify({ format: FORMAT, entries })).catch(() => undefined);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** True when JSON.parse(JSON.stringify(v)) gives back the same value. */
function isExactJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(isExactJson);
  if (!isPlainObject(v)) return false;
  return Object.entries(v).every(([k, x]) => k !== '__proto__' && isExactJson(x));
}
