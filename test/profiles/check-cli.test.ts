import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');
const tmpDirs: string[] = [];
afterEach(async () => {
  for (const d of tmpDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function run(argv: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += String(c)));
  stderr.on('data', (c) => (err += String(c)));
  const code = await main(argv, {
    stdout,
    stderr,
    env: { CAMWARDEN_SITE_ID: 's1', CAMWARDEN_GATEWAY_ID: 'g1', ...env },
    cwd: tmpdir(),
  });
  return { code, out, err };
}

describe('camwarden profiles check', () => {
  it('activates the configured site.policyPack, as the agent does, unless --pack names another', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cw-check-pack-'));
    tmpDirs.push(dir);
    const configFile = join(dir, 'camwarden.yaml');
    await writeFile(configFile, `profilesDir: ${BUNDLED}\nsite: { policyPack: us-ny }\n`);
    const configured = await run(['profiles', 'check'], { CAMWARDEN_CONFIG: configFile });
    expect(configured.code).toBe(0);
    expect(configured.out).toMatch(/pack\s+us-ny /);
    const flagged = await run(['profiles', 'check', '--pack', 'eu-gdpr'], { CAMWARDEN_CONFIG: configFile });
    expect(flagged.out).toMatch(/pack\s+eu-gdpr /);
  });

  it('accepts the bundled profiles with a summary (explicit dir and configured default)', async () => {
    const r = await run(['profiles', 'check', BUNDLED]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/revision\s+[0-9a-f]{16}/);
    expect(r.out).toContain('cn-2025');
    const d = await run(['profiles', 'check'], { CAMWARDEN_PROFILES_DIR: BUNDLED });
    expect(d.code).toBe(0);
  });

  it('reports every problem of a broken dir with file and field, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cw-prof-check-'));
    tmpDirs.push(dir);
    await cp(BUNDLED, dir, { recursive: true });
    // bad enum, unknown key, bad date
    await writeFile(
      join(dir, 'site/site.yaml'),
      [
        'schemaVersion: 1',
        'defaultSystemClass: art99',
        'colour: blue',
        'consents: [{ id: c1, issuingUnit: PSB, date: 2026-02-30, cameras: [cam-1] }]',
      ].join('\n'),
    );
    // missing field
    await writeFile(join(dir, 'vendors/nopriority.yaml'), 'schemaVersion: 1\nid: nopriority\n');
    // bad YAML
    await writeFile(join(dir, 'vendors/broken.yaml'), 'schemaVersion: 1\nid: [unclosed\n');
    const r = await run(['profiles', 'check', dir]);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines.some((l) => l.startsWith('site/site.yaml: defaultSystemClass: '))).toBe(true);
    expect(lines).toContain('site/site.yaml: colour: unknown key');
    expect(lines.some((l) => l.startsWith('site/site.yaml: consents.0.date: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('vendors/nopriority.yaml: priority: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('vendors/broken.yaml: (root): invalid YAML'))).toBe(true);
    for (const l of lines) expect(l).toMatch(/^[a-z-]+\/[\w.-]+\.yaml: [^:]+: .+/);
    expect(r.out).toBe('');
  });
});
