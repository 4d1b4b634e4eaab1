// A legal hold the device profiles add is in force as soon as the set carrying it is: the sweep deleting stops.
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { followProfileHolds } from '../../src/agent/profile-holds.js';
import { createPolicyPort } from '../../src/agent/profile-policy.js';
import { buildSweepOptions } from '../../src/agent/sweep-options.js';
import { loadConfig } from '../../src/config/load-config.js';
import { type AuditSink, MemoryAuditSink } from '../../src/model/audit-sink.js';
import { MemoryEventSink } from '../../src/model/event-sink.js';
import { loadProfileSet } from '../../src/profiles/load-profile-set.js';
import type { ProfileSet } from '../../src/profiles/types.js';
import { HoldStore } from '../../src/retention/hold-store.js';
import { sweep } from '../../src/retention/sweep.js';
import { DAY, genericPath, NOW, writeFile } from '../retention/helpers.js';

const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');
const HOLD = { id: 'case-7', camera: 'cam3', from: '2000-01-01', to: '2030-01-01', reason: 'police' };

/** A site: profiles (a copy of the bundled ones), a data dir, and expired footage of cam0..cam9 under rec/. */
function site(files: number) {
  const top = mkdtempSync(join(tmpdir(), 'cw-pholds-'));
  const profilesDir = join(top, 'profiles');
  cpSync(BUNDLED, profilesDir, { recursive: true });
  const root = join(top, 'rec');
  const paths = Array.from({ length: files }, (_, i) => genericPath(root, `cam${i % 10}`, NOW - 40 * DAY - i * 1000));
  for (const p of paths) writeFile(p, 10);
  const env = {
    CAMWARDEN_DATA_DIR: join(top, 'data'),
    CAMWARDEN_RECORDINGS_DIR: root,
    CAMWARDEN_PROFILES_DIR: profilesDir,
  };
  const { config } = loadConfig(env, top);
  const cam = (n: number) => paths.filter((p) => p.includes(`/cam${n}/`));
  return { profilesDir, config, cam, holds: new HoldStore(config.dataDir) };
}

function addProfileHold(profilesDir: string): void {
  writeFileSync(
    join(profilesDir, 'site', 'legal-holds.yaml'),
    `schemaVersion: 1\nlegalHolds: [${JSON.stringify(HOLD)}]\n`,
  );
}

describe('a legal hold added by the device profiles', () => {
  it('stops the sweep deleting at its next file: what it covers and was still there survives', async () => {
    const s = site(3000);
    const before = await loadProfileSet(s.config.profilesDir ?? '');
    addProfileHold(s.profilesDir);
    const after = await loadProfileSet(s.config.profilesDir ?? '');
    expect(after.retention.legalHolds.map((h) => h.id)).toEqual(['case-7']);
    // the store's side (ProfileStore): the live set, and its listeners called as a new set is swapped in
    let live: ProfileSet = before;
    const listeners: Array<() => void> = [];
    followProfileHolds({ current: () => live, onChange: (l) => listeners.push(l) });
    const options = await buildSweepOptions({
      config: s.config,
      profiles: before,
      inventory: undefined,
      holds: s.holds,
      profileHolds: () => live.retention.legalHolds,
    });
    let covered: string[] = [];
    await sweep({
      ...options,
      now: () => NOW,
      hooks: {
        // the walk is held here, mid-batch, while the new set is swapped in (no timing involved)
        afterUnlink: (deleted) => {
          if (deleted !== 1) return;
          live = after;
          for (const l of listeners) l();
          covered = s.cam(3).filter(existsSync);
        },
      },
    });
    expect(covered.length).toBeGreaterThan(250); // cam3's 300 files, the one deleted perhaps among them
    expect(covered.filter((p) => !existsSync(p))).toEqual([]);
  });

  it('is read by a sweep whose options were built before the set was reloaded', async () => {
    const s = site(200);
    const audit: AuditSink = new MemoryAuditSink();
    const policy = createPolicyPort({
      config: s.config,
      logger: pino({ level: 'silent' }),
      events: new MemoryEventSink(),
      audit,
    });
    await policy.start();
    try {
      // as the daemon builds them (create-agent.ts)
      const options = await buildSweepOptions({
        config: s.config,
        profiles: policy.current(),
        inventory: undefined,
        holds: s.holds,
        profileHolds: () => policy.current()?.retention.legalHolds ?? [],
      });
      addProfileHold(s.profilesDir);
      const reloaded = await policy.reload();
      expect(reloaded.problems).toEqual([]);
      await sweep({ ...options, now: () => NOW, inline: true });
      expect(s.cam(3).filter((p) => !existsSync(p))).toEqual([]);
      expect(s.cam(4).some(existsSync)).toBe(false);
    } finally {
      await policy.stop();
    }
  });
});
