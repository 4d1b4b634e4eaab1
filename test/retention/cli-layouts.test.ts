import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DataDirLock } from '../../src/agent/data-dir-lock.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { main } from '../../src/cli/main.js';
import { resolveLayout } from '../../src/profiles/resolve-layout.js';
import { recordingLayoutSchema } from '../../src/retention/layout-schema.js';
import { BUILTIN_LAYOUTS } from '../../src/retention/layouts.js';
import { sweep } from '../../src/retention/sweep.js';
import { captureIo } from '../helpers/cli-io.js';
import { auditedDeletions, DAY, footage, genericPath, scratchSite, sweepOptions, tmp, writeFile } from './helpers.js';

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
      const r = await sweep(sweepOptions(root, { layout, now: () => now }));
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

  it('prints exactly the contract keys, quarantines blocked cameras, and audits every deletion', async () => {
    const { root, data } = scratchSite();
    const now = Date.now();
    const expired = footage(root, 'cam1', [40, 41, 42], 10, now);
    footage(root, 'cam1', [1], 10, now);
    footage(root, 'bad', [1], 10, now);
    const inv = {
      site: 's',
      gateway: 'g',
      scannedAt: '',
      policyRevision: '',
      errors: [],
      cameras: [{ id: 'bad', decision: { action: 'block', reasons: [] }, location: { zone: 'toilet' } }],
    };
    writeFile(join(data, 'inventory.json'), 0);
    writeFileSync(join(data, 'inventory.json'), JSON.stringify(inv));
    const t = io({ CAMWARDEN_DATA_DIR: data, CAMWARDEN_RECORDINGS_DIR: root });
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
    // cam1's young day is not even listed, so it is not counted as scanned
    expect(out).toMatchObject({ dryRun: false, scanned: 4, deleted: 3, quarantined: 1, held: 0, unmatched: 0 });
    // the real audit log, not a throw-away sink: every deleted path, signed, chained
    const audit = join(data, 'audit.jsonl');
    const { paths, entries } = auditedDeletions(audit);
    expect(expired.every((p) => paths.has(p))).toBe(true);
    expect(entries.some((e) => e.kind === 'quarantine' && JSON.stringify(e.data).includes('"quarantined"'))).toBe(true);
    expect(await verifyAuditLog(audit)).toMatchObject({ ok: true, signed: entries.length });
    // a second run resumes the chain with a restart marker carrying the previous head
    const head = entries.at(-1)?.hash;
    expect(await main(['sweep', '--json'], io({ CAMWARDEN_DATA_DIR: data, CAMWARDEN_RECORDINGS_DIR: root }).io)).toBe(
      0,
    );
    const marker = auditedDeletions(audit).entries.find((e) => (e.data as { event?: string }).event === 'restart');
    expect(marker?.data).toMatchObject({ previousHead: head, writer: 'sweep' });
  });

  it('refuses, naming the file, when the inventory is corrupt: a blocked camera’s footage is never deleted instead', async () => {
    const { root, data } = scratchSite();
    const now = Date.now();
    const blocked = footage(root, 'bad', [40], 10, now);
    const file = join(data, 'inventory.json');
    writeFile(file, 0);
    writeFileSync(file, '{"site":"s","cameras":[{"id":"bad","decision":{"action":"blo');
    const t = io({ CAMWARDEN_DATA_DIR: data, CAMWARDEN_RECORDINGS_DIR: root });
    const code = await main(['sweep', '--json'], t.io);
    expect(blocked.filter((p) => !existsSync(p))).toEqual([]);
    expect(code).not.toBe(0);
    expect(t.err()).toContain(file);
  });

  it('refuses (exit 1) while another camwarden process holds the data dir; a dry run still works', async () => {
    const dir = tmp();
    const root = join(dir, 'rec');
    const data = join(dir, 'data');
    const old = genericPath(root, 'cam1', Date.now() - 40 * DAY);
    writeFile(old, 10);
    const lock = await DataDirLock.acquire(data, 'agent'); // this test process plays the running agent
    try {
      const t = io({ CAMWARDEN_DATA_DIR: data, CAMWARDEN_RECORDINGS_DIR: root });
      expect(await main(['sweep'], t.io)).toBe(1);
      expect(t.err()).toMatch(/data-dir-locked: .* is in use by camwarden agent \(pid \d+/);
      expect(existsSync(old)).toBe(true);
      const dry = io({ CAMWARDEN_DATA_DIR: data, CAMWARDEN_RECORDINGS_DIR: root });
      expect(await main(['sweep', '--dry-run', '--json'], dry.io)).toBe(0);
      expect(JSON.parse(dry.out())).toMatchObject({ dryRun: true, deleted: 1 });
    } finally {
      await lock.release();
    }
    expect(await main(['sweep'], io({ CAMWARDEN_DATA_DIR: data, CAMWARDEN_RECORDINGS_DIR: root }).io)).toBe(0);
    expect(existsSync(old)).toBe(false);
    expect(readdirSync(data)).not.toContain('camwarden.lock');
  });
});
