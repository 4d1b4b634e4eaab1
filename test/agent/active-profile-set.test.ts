import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadActiveProfileSet, profileSource } from '../../src/agent/active-profile-set.js';
import { loadConfig } from '../../src/config/load-config.js';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import { MemoryEventSink } from '../../src/model/event-sink.js';
import { APPLIED_DIR } from '../../src/profiles/applied-bundles.js';
import { ProfileStore } from '../../src/profiles/profile-store.js';
import { ConsentRecordStore } from '../../src/profiles/record-store.js';
import { createLogger } from '../../src/util/logger.js';

const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'cw-active-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A data dir whose applied bundle (a remote `profiles/apply`) selects eu-gdpr, and one recorded consent. */
async function gatewayWithAppliedBundle(): Promise<{ dataDir: string; configured: string }> {
  const dataDir = await tempDir();
  const bundle = join(dataDir, APPLIED_DIR, 'b1');
  await mkdir(join(dataDir, APPLIED_DIR), { recursive: true });
  await cp(BUNDLED, bundle, { recursive: true });
  await writeFile(join(bundle, 'site', 'site.yaml'), 'schemaVersion: 1\npolicyPack: eu-gdpr\n');
  await writeFile(join(dataDir, APPLIED_DIR, 'ACTIVE'), 'b1\n');
  await new ConsentRecordStore(dataDir).add({ cameraId: 'cam-1', reference: 'C-7', unitKind: 'military' });
  return { dataDir, configured: BUNDLED };
}

describe('the active profile set', () => {
  it('is the applied bundle with the recorded consents, for a command as for the daemon', async () => {
    const { dataDir, configured } = await gatewayWithAppliedBundle();
    const { config } = loadConfig({ CAMWARDEN_DATA_DIR: dataDir, CAMWARDEN_PROFILES_DIR: configured }, dataDir);

    const command = await loadActiveProfileSet(config);
    expect(command?.packId).toBe('eu-gdpr');
    expect(command?.dir).toBe(join(dataDir, APPLIED_DIR, 'b1'));
    expect(command?.site.consents.map((c) => c.id)).toContain('C-7');

    const store = new ProfileStore({
      ...profileSource(config),
      events: new MemoryEventSink(),
      audit: new MemoryAuditSink(),
      logger: createLogger({ level: 'silent' }),
      consents: new ConsentRecordStore(config.dataDir),
      watch: false,
      recheckMs: 0,
    });
    await store.start();
    try {
      expect(store.current()).toEqual(command);
    } finally {
      await store.stop();
    }
  });

  it('is the configured dir when no bundle was applied, and refuses an invalid one rather than falling back', async () => {
    const dataDir = await tempDir();
    const configured = join(await tempDir(), 'profiles');
    await cp(BUNDLED, configured, { recursive: true });
    const { config } = loadConfig({ CAMWARDEN_DATA_DIR: dataDir, CAMWARDEN_PROFILES_DIR: configured }, dataDir);
    expect((await loadActiveProfileSet(config))?.dir).toBe(configured);

    await writeFile(join(configured, 'site', 'site.yaml'), 'schemaVersion: 1\npolicyPack: nope\n');
    await expect(loadActiveProfileSet(config)).rejects.toThrow(/unknown policy pack "nope"/);
  });

  it('refuses a corrupt consent record file rather than dropping the records', async () => {
    const dataDir = await tempDir();
    const { config } = loadConfig({ CAMWARDEN_DATA_DIR: dataDir, CAMWARDEN_PROFILES_DIR: BUNDLED }, dataDir);
    await writeFile(join(dataDir, 'consents.json'), '{"schemaVersion":2,"consents":[]}\n');
    await expect(loadActiveProfileSet(config)).rejects.toThrow(/consents\.json/);
  });
});
