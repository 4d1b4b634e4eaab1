import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_LAYOUTS } from '../../src/retention/layouts.js';
import { TreeFootageQuarantine } from '../../src/retention/quarantine.js';
import { DEFAULT_RETENTION_POLICY } from '../../src/retention/rules.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * A quarantine release walks `<quarantine>/<camera id>/` and moves what it finds into the recordings tree. With a
 * camera id of `..` or `.` (an EndpointReference of `urn:uuid:..` became such an id) it used to walk the
 * quarantine's parent, or the whole quarantine, and move everything there into the tree.
 */
describe('quarantine release with a hostile camera id', () => {
  it('refuses ids that are path steps: nothing outside the camera’s own directory moves', async () => {
    const site = mkdtempSync(join(tmpdir(), 'cw-qrel-'));
    dirs.push(site);
    const root = join(site, 'recordings');
    const quarantine = join(site, 'quarantine');
    mkdirSync(root);
    mkdirSync(join(quarantine, 'other-camera', '2026-11-01'), { recursive: true });
    writeFileSync(join(quarantine, 'other-camera', '2026-11-01', '10-00-00.mp4'), 'held footage of another camera');
    writeFileSync(join(site, 'secrets.txt'), 'a file beside the quarantine');
    const q = new TreeFootageQuarantine(async () => ({
      root,
      quarantineDir: quarantine,
      layout: BUILTIN_LAYOUTS.generic as NonNullable<(typeof BUILTIN_LAYOUTS)['generic']>,
      policy: DEFAULT_RETENTION_POLICY,
      cameras: [],
      dataDir: join(site, 'data'),
    }));
    for (const id of ['..', '.', '../quarantine', 'a/..', '-x', '']) {
      await expect(q.release(id, { reason: 'test' }), JSON.stringify(id)).rejects.toThrow(/unsafe|refusing/);
      await expect(q.quarantine(id), JSON.stringify(id)).rejects.toThrow(/unsafe|refusing/);
    }
    expect(readdirSync(root)).toEqual([]);
    expect(existsSync(join(site, 'secrets.txt'))).toBe(true);
    expect(existsSync(join(quarantine, 'other-camera', '2026-11-01', '10-00-00.mp4'))).toBe(true);
    // a plain id still works
    await q.release('other-camera', { reason: 'test' });
    expect(existsSync(join(root, '2026-11-01', '10-00-00.mp4'))).toBe(true);
  });
});
