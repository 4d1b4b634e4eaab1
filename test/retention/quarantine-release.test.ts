import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditSink } from '../../src/model/audit-sink.js';
import { BUILTIN_LAYOUTS } from '../../src/retention/layouts.js';
import { TreeFootageQuarantine } from '../../src/retention/quarantine.js';
import { DEFAULT_RETENTION_POLICY } from '../../src/retention/rules.js';
import { CamwardenError, ErrorCode } from '../../src/util/errors.js';

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

describe('quarantine release and its register entry', () => {
  it('moves nothing when the audit log cannot take the entry naming who released it and why', async () => {
    const site = mkdtempSync(join(tmpdir(), 'cw-qrel-'));
    dirs.push(site);
    const root = join(site, 'recordings');
    const quarantine = join(site, 'quarantine');
    mkdirSync(root);
    const held = join(quarantine, 'cam-1', '2026-11-01', '10-00-00.mp4');
    mkdirSync(dirname(held), { recursive: true });
    writeFileSync(held, 'quarantined footage');
    const entries: Array<{ kind: string; data: Record<string, unknown> }> = [];
    let full = true;
    const audit: AuditSink = {
      append: async (kind, data) => {
        if (full) throw new CamwardenError(ErrorCode.Internal, 'audit log: ENOSPC: no space left on device');
        entries.push({ kind, data });
      },
    };
    const q = new TreeFootageQuarantine(async () => ({
      root,
      quarantineDir: quarantine,
      layout: BUILTIN_LAYOUTS.generic as NonNullable<(typeof BUILTIN_LAYOUTS)['generic']>,
      policy: DEFAULT_RETENTION_POLICY,
      cameras: [],
      dataDir: join(site, 'data'),
      audit,
    }));
    const by = { reason: 'mis-tagged', unit: 'Store 1', name: 'Li', keyId: 'abcdef0123456789' };
    await expect(q.release('cam-1', by)).rejects.toThrow(/ENOSPC/);
    expect(existsSync(held)).toBe(true);
    expect(readdirSync(root)).toEqual([]);
    // with room again: who and why go in before the footage moves, what moved after
    full = false;
    await q.release('cam-1', by);
    expect(existsSync(join(root, '2026-11-01', '10-00-00.mp4'))).toBe(true);
    expect(entries.map((e) => e.data.event)).toEqual(['releasing', 'released']);
    expect(entries[0]?.data).toMatchObject({ camera: 'cam-1', ...by });
  });
});
