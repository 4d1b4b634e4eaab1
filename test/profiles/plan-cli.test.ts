import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { ScanResult } from '../../src/model/camera-records.js';
import { evaluateRecords } from '../../src/policy/index.js';
import { loadProfileSet } from '../../src/profiles/index.js';
import { camera } from '../policy/fixtures.js';

const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');
const tmpDirs: string[] = [];
afterEach(async () => {
  for (const d of tmpDirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'cw-plan-'));
  tmpDirs.push(d);
  return d;
}
async function run(argv: string[], env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += String(c)));
  stderr.on('data', (c) => (err += String(c)));
  const code = await main(argv, {
    stdout,
    stderr,
    env: { CAMWARDEN_SITE_ID: 's1', CAMWARDEN_GATEWAY_ID: 'g1', CAMWARDEN_PROFILES_DIR: BUNDLED, ...env },
    cwd: tmpdir(),
  });
  return { code, out, err };
}

describe('camwarden plan', () => {
  it('lists exactly the cameras whose decision changes under DIR', async () => {
    const dataDir = await tmp();
    const cams = [
      camera({ id: 'cam-toilet', address: '127.0.0.11', scopes: ['onvif://www.onvif.org/location/zone/toilet'] }),
      camera({ id: 'cam-hall', address: '127.0.0.12', scopes: ['onvif://www.onvif.org/location/zone/public-other'] }),
      camera({ id: 'cam-hub', address: '127.0.0.13', scopes: ['onvif://www.onvif.org/location/zone/transport-hub'] }),
    ];
    const current = await loadProfileSet(BUNDLED);
    const scan: ScanResult = {
      site: 's1',
      gateway: 'g1',
      scannedAt: new Date().toISOString(),
      policyRevision: current.revision,
      cameras: evaluateRecords(cams, current, { now: new Date() }),
      errors: [],
    };
    const inventory = join(dataDir, 'inventory.json');
    await writeFile(inventory, JSON.stringify(scan));
    // Candidate: the site profile says cam-hall is in fact a changing room.
    const candidate = await tmp();
    await cp(BUNDLED, candidate, { recursive: true });
    await writeFile(
      join(candidate, 'site/site.yaml'),
      'schemaVersion: 1\ncameras:\n  - match: { id: cam-hall }\n    zone: changing-room\n',
    );
    const env = { CAMWARDEN_DATA_DIR: dataDir };
    const text = await run(['plan', '--profiles', candidate], env);
    expect(text.err).toBe('');
    expect(text.code).toBe(0);
    expect(text.out).toContain('cam-hall');
    expect(text.out).toContain('127.0.0.12');
    expect(text.out).toMatch(/→ block \[[^\]]*prohibited-zone/);
    expect(text.out).not.toContain('cam-toilet');
    expect(text.out).not.toContain('cam-hub');

    const json = await run(['plan', '--profiles', candidate, '--inventory', inventory, '--json'], {});
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.out) as {
      from: string;
      to: string;
      changes: Array<{
        id: string;
        address: string;
        from: { action: string };
        to: { action: string; codes: string[] };
      }>;
    };
    expect(plan.from).toBe(current.revision);
    expect(plan.to).toBe((await loadProfileSet(candidate)).revision);
    expect(plan.changes.map((c) => c.id)).toEqual(['cam-hall']);
    expect(plan.changes[0]?.to.action).toBe('block');
    expect(plan.changes[0]?.to.codes).toContain('prohibited-zone');
    expect(plan.changes[0]?.from.action).not.toBe('block');

    // Unchanged profiles: nothing listed.
    const none = await run(['plan', '--profiles', BUNDLED, '--json'], env);
    expect(JSON.parse(none.out).changes).toEqual([]);
  });

  it('a missing inventory is exit 2 naming the file', async () => {
    const dataDir = await tmp();
    const r = await run(['plan'], { CAMWARDEN_DATA_DIR: dataDir });
    expect(r.code).toBe(2);
    expect(r.err).toContain(join(dataDir, 'inventory.json'));
  });

  it('an invalid candidate dir is exit 2 with every problem', async () => {
    const dataDir = await tmp();
    await writeFile(
      join(dataDir, 'inventory.json'),
      JSON.stringify({ site: 's1', gateway: 'g1', scannedAt: '', policyRevision: 'x', cameras: [], errors: [] }),
    );
    const bad = await tmp();
    await cp(BUNDLED, bad, { recursive: true });
    await writeFile(join(bad, 'site/site.yaml'), 'schemaVersion: 1\ncolour: red\n');
    const r = await run(['plan', '--profiles', bad], { CAMWARDEN_DATA_DIR: dataDir });
    expect(r.code).toBe(2);
    expect(r.err).toContain('site/site.yaml: colour: unknown key');
  });
});
