import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { TreeFootageQuarantine } from '../../src/retention/footage-quarantine.js';
import { recordingLayoutSchema } from '../../src/retention/layout-schema.js';
import { BUILTIN_LAYOUTS } from '../../src/retention/layouts.js';
import { resolveLayout } from '../../src/retention/load-layout.js';
import { DEFAULT_RETENTION_POLICY } from '../../src/retention/policy.js';
import { sweep } from '../../src/retention/sweep.js';
import { captureIo } from '../helpers/cli-io.js';
import { DAY, genericPath, tmp, writeFile } from './helpers.js';

const layoutsDir = new URL('../../device-profiles/layouts/', import.meta.url).pathname;

const io = (env: Record<string, string>) => captureIo(env, tmp());

describe('layout files', () => {
  it('every device-profiles/layouts file validates; generic and frigate equal the built-ins', () => {
    const files = readdirSync(layoutsDir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const parsed = recordingLayoutSchema.parse(parse(readFileSync(join(layoutsDir, f), 'utf8')));
      const builtin = BUILTIN_LAYOUTS[parsed.id];
      if (builtin) expect(parsed.segments).toEqual(builtin.segments);
    }
  });

  it('sweeps frigate and shinobi trees by their path timestamps', async () => {
    const now = Date.now();
    const old = new Date(now - 40 * DAY).toISOString();
    const young = new Date(now - DAY).toISOString();
    const f = (iso: string, cam: string) =>
      join(iso.slice(0, 10), iso.slice(11, 13), cam, `${iso.slice(14, 16)}.${iso.slice(17, 19)}.mp4`);
    const s = (iso: string, cam: string) =>
      join('grp', cam, `${iso.slice(0, 10)}T${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}.mp4`);
    for (const [id, pathOf] of [
      ['frigate', f],
      ['shinobi', s],
    ] as const) {
      const dir = tmp();
      const root = join(dir, 'rec');
      writeFile(join(root, pathOf(old, 'door')), 10, now - DAY);
      writeFile(join(root, pathOf(young, 'door')), 10, now - DAY);
      const layout = await resolveLayout(id, join(layoutsDir, '..'));
      const r = await sweep({
        root,
        layout,
        policy: DEFAULT_RETENTION_POLICY,
        cameras: [],
        dataDir: join(dir, 'data'),
      });
      expect([id, r.deleted, r.unmatched]).toEqual([id, 1, 0]);
      expect(existsSync(join(root, pathOf(young, 'door')))).toBe(true);
    }
  });
});

describe('camwarden sweep', () => {
  it('exits 2 naming CAMWARDEN_RECORDINGS_DIR when unset', async () => {
    const t = io({ CAMWARDEN_DATA_DIR: join(tmp(), 'data') });
    expect(await main(['sweep', '--json'], t.io)).toBe(2);
    expect(t.err()).toContain('CAMWARDEN_RECORDINGS_DIR');
  });

  it('prints exactly the contract keys; blocked cameras from inventory.json are quarantined', async () => {
    const dir = tmp();
    const root = join(dir, 'rec');
    const now = Date.now();
    writeFile(genericPath(root, 'cam1', now - 40 * DAY), 10, now - DAY);
    writeFile(genericPath(root, 'cam1', now - DAY), 10, now - DAY);
    writeFile(genericPath(root, 'bad', now - DAY), 10, now - DAY);
    writeFile(join(dir, 'data', 'inventory.json'), 0);
    const inv = {
      site: 's',
      gateway: 'g',
      scannedAt: '',
      policyRevision: '',
      errors: [],
      cameras: [{ id: 'bad', decision: { action: 'block', reasons: [] }, location: { zone: 'toilet' } }],
    };
    await import('node:fs').then((fs) => fs.writeFileSync(join(dir, 'data', 'inventory.json'), JSON.stringify(inv)));
    const t = io({ CAMWARDEN_DATA_DIR: join(dir, 'data'), CAMWARDEN_RECORDINGS_DIR: root });
    expect(await main(['sweep', '--json'], t.io)).toBe(0);
    const out = JSON.parse(t.out());
    expect(Object.keys(out)).toEqual([
      'dryRun',
      'scanned',
      'deleted',
      'bytesFreed',
      'quarantined',
      'held',
      'unmatched',
      'skipped',
      'errors',
    ]);
    expect(out).toMatchObject({ dryRun: false, scanned: 3, deleted: 1, quarantined: 1, held: 0, unmatched: 0 });

    const q = new TreeFootageQuarantine(async () => ({
      root,
      layout: BUILTIN_LAYOUTS.generic as NonNullable<(typeof BUILTIN_LAYOUTS)['generic']>,
      policy: DEFAULT_RETENTION_POLICY,
      cameras: [],
      dataDir: join(dir, 'data'),
    }));
    await q.release('bad');
    expect(existsSync(genericPath(root, 'bad', now - DAY))).toBe(true);
    await q.quarantine('bad');
    expect(existsSync(genericPath(root, 'bad', now - DAY))).toBe(false);
  });
});
