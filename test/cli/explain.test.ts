import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { asScope, type Explanation } from '../../src/cli/commands/explain.js';
import { main } from '../../src/cli/main.js';

const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(argv, { stdout, stderr, env: { CAMWARDEN_PROFILES_DIR: BUNDLED }, cwd: tmpdir() });
  return { code, out, err };
}

describe('camwarden explain', () => {
  it('names the zone, the action, every reason with its article and the deciding segment', async () => {
    const r = await run([
      'explain',
      '--scope',
      'onvif://www.onvif.org/location/site/万达广场',
      '--scope',
      'location/room/沐浴间',
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^zone {5}bathing-room \(block, scope; pack cn-2025, revision [0-9a-f]{16}\)$/m);
    expect(r.out).toContain('decided  "沐浴间" (room-level bathing-room) in segment "沐浴间" of location/room/沐浴间');
    expect(r.out).toContain('prohibited-zone  [Article 8]  public bathing room');
    expect(r.out).toContain('location/site/万达广场  "广场" → public-infrastructure (site)');
  });

  it('--json: the explanation as one document', async () => {
    const r = await run(['explain', '--scope', '虹桥火车站/卫生间门口', '--json']);
    expect(r.code, r.err).toBe(0);
    const e = JSON.parse(r.out) as Explanation;
    expect(e).toMatchObject({ zone: 'toilet', action: 'flag', source: 'scope', pack: 'cn-2025' });
    expect(e.decidedBy).toMatchObject({ words: '卫生间', segment: '卫生间门口', qualified: true });
    expect(e.reasons.map((x) => [x.code, x.article])).toEqual([['prohibited-zone', 'Article 8']]);
    expect(e.terms.find((t) => t.words === '门口')?.note).toBe('describes the term before it');
  });

  it('explains NVR channel names, and the Art 7 duties of an allowed zone', async () => {
    const r = await run(['explain', '--channel', '商场出口', '--json']);
    const e = JSON.parse(r.out) as Explanation;
    expect(e).toMatchObject({ zone: 'crowded-place', action: 'flag', systemClass: 'art7-operator' });
    expect(e.reasons.map((x) => x.code)).toEqual(['system-class-missing', 'filing-missing', 'signage-missing']);
  });

  it('decides with another profiles directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cw-explain-'));
    dirs.push(dir);
    await cp(BUNDLED, dir, { recursive: true });
    await writeFile(join(dir, 'site/site.yaml'), 'schemaVersion: 1\npolicyPack: us-ny\n');
    const r = await run(['explain', '--scope', 'location/restaurant/private dining room', '--profiles', dir, '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ pack: 'us-ny', zone: 'private-dining-room', action: 'allow' });
  });

  it('--manufacturer picks the vendor profile: its placeholder locations decide nothing, as in a scan', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cw-explain-'));
    dirs.push(dir);
    await cp(BUNDLED, dir, { recursive: true });
    await writeFile(
      join(dir, 'vendors/acme.yaml'),
      [
        'schemaVersion: 1',
        'id: acme',
        'priority: 100',
        'match:',
        '  manufacturer: "^acme"',
        'quirks:',
        '  placeholderLocations: [lobby]',
        '',
      ].join('\n'),
    );
    const asAcme = await run([
      'explain',
      '--scope',
      'location/lobby',
      '--manufacturer',
      'ACME Corp',
      '--profiles',
      dir,
    ]);
    expect(asAcme.code, asAcme.err).toBe(0);
    expect(asAcme.out).toMatch(/^zone {5}unknown \(flag, /m);
    expect(asAcme.out).toContain('vendor   acme');
    // The terms are those the decision counted: a placeholder that would only allow counts for nothing.
    expect(asAcme.out).not.toContain('"lobby" →');
    // Another maker's camera reads the same tag as a lobby.
    const other = await run([
      'explain',
      '--scope',
      'location/lobby',
      '--manufacturer',
      'Axis',
      '--profiles',
      dir,
      '--json',
    ]);
    expect(JSON.parse(other.out)).toMatchObject({ zone: 'public-other', source: 'scope', vendor: 'axis' });
  });

  it('exits 2 without a tag, and on a broken profiles directory naming the file and field', async () => {
    const none = await run(['explain']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('--scope');
    const dir = await mkdtemp(join(tmpdir(), 'cw-explain-'));
    dirs.push(dir);
    await cp(BUNDLED, dir, { recursive: true });
    await writeFile(join(dir, 'site/site.yaml'), 'schemaVersion: 1\ndefaultSystemClass: art99\n');
    const bad = await run(['explain', '--scope', 'location/lobby', '--profiles', dir]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('site/site.yaml: defaultSystemClass: ');
  });

  it('takes scopes as written, location/… and name/… paths, or bare location paths', () => {
    expect(asScope('onvif://www.onvif.org/location/zone/toilet')).toBe('onvif://www.onvif.org/location/zone/toilet');
    expect(asScope('location/zone/toilet')).toBe('onvif://www.onvif.org/location/zone/toilet');
    expect(asScope('name/Cam 2')).toBe('onvif://www.onvif.org/name/Cam 2');
    expect(asScope('商场/试身室')).toBe('onvif://www.onvif.org/location/商场/试身室');
  });
});
