import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProfileSet, ProfileValidationError } from '../../src/profiles/index.js';
import { YamlCache, type YamlParse } from '../../src/profiles/yaml-cache.js';

const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');
const tmpDirs: string[] = [];
async function tmp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cw-yaml-cache-'));
  tmpDirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of tmpDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const entriesOf = async (file: string): Promise<Record<string, unknown>> =>
  (JSON.parse(await readFile(file, 'utf8')) as { entries: Record<string, unknown> }).entries;

describe('YamlCache', () => {
  it('parses each text once across loads, and keeps only the entries of the last load', async () => {
    const file = join(await tmp(), 'cache.json');
    let parses = 0;
    const parse = async (text: string): Promise<YamlParse> => {
      parses++;
      return { ok: true, value: { text } };
    };
    let cache = await YamlCache.open(file);
    await cache.parse('a: 1', parse);
    await cache.parse('b: 2', parse);
    await cache.save();
    cache = await YamlCache.open(file);
    expect(await cache.parse('a: 1', parse)).toEqual({ ok: true, value: { text: 'a: 1' } });
    expect(parses).toBe(2);
    await cache.save();
    expect(Object.keys(await entriesOf(file))).toHaveLength(1);
  });

  it('never keeps a failed parse or a value JSON would change', async () => {
    const file = join(await tmp(), 'cache.json');
    const cache = await YamlCache.open(file);
    await cache.parse('x', async () => ({ ok: false, errors: ['bad'] }));
    await cache.parse('y', async () => ({ ok: true, value: { n: Number.POSITIVE_INFINITY } }));
    await cache.parse('z', async () => ({ ok: true, value: [Number.NaN] }));
    await cache.save();
    await expect(readFile(file, 'utf8')).rejects.toThrow(); // nothing worth writing
  });

  it('treats an unreadable or foreign file as empty', async () => {
    const file = join(await tmp(), 'cache.json');
    await writeFile(file, '{"format": 99, "entries": {"k": 1}}');
    let parses = 0;
    const cache = await YamlCache.open(file);
    await cache.parse('a', async () => ({ ok: true, value: ++parses }));
    await writeFile(file, 'not json');
    await (await YamlCache.open(file)).parse('a', async () => ({ ok: true, value: ++parses }));
    expect(parses).toBe(2);
  });
});

describe('loadProfileSet with a YAML cache', () => {
  it('loads the same set from the cache, and still validates what it gives', async () => {
    const dir = await tmp();
    const profiles = join(dir, 'profiles');
    await cp(BUNDLED, profiles, { recursive: true });
    const yamlCacheFile = join(dir, 'data', 'profile-yaml-cache.json');
    const fresh = await loadProfileSet(profiles);
    const first = await loadProfileSet(profiles, { yamlCacheFile });
    const cached = await loadProfileSet(profiles, { yamlCacheFile });
    expect(first).toEqual(fresh);
    expect(cached).toEqual(fresh);
    const entries = await entriesOf(yamlCacheFile);
    expect(Object.keys(entries).length).toBeGreaterThan(10);

    // A cache entry that no longer validates is refused like the file itself would be (fail closed).
    const vendor = await readFile(join(profiles, 'vendors', 'axis.yaml'), 'utf8');
    const key = (await import('node:crypto')).createHash('sha256').update(vendor, 'utf8').digest('hex');
    expect(entries[key]).toBeDefined();
    await writeFile(yamlCacheFile, JSON.stringify({ format: 1, entries: { ...entries, [key]: { id: 7 } } }));
    await expect(loadProfileSet(profiles, { yamlCacheFile })).rejects.toBeInstanceOf(ProfileValidationError);
  });

  it('an edited file is parsed afresh, errors and all', async () => {
    const dir = await tmp();
    await cp(BUNDLED, dir, { recursive: true });
    const yamlCacheFile = join(dir, 'cache.json');
    await loadProfileSet(dir, { yamlCacheFile });
    await writeFile(join(dir, 'vendors', 'axis.yaml'), 'id: axis\nid: twice\n');
    const err = await loadProfileSet(dir, { yamlCacheFile }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileValidationError);
    expect((err as ProfileValidationError).problems.join('\n')).toMatch(
      /^vendors\/axis\.yaml: \(root\): invalid YAML/m,
    );
  });
});
