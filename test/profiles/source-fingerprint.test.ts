import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryAuditSink } from '../../src/audit/audit-sink.js';
import { ProfileStore, signBundle } from '../../src/profiles/index.js';
import { sourceFingerprint } from '../../src/profiles/source-fingerprint.js';
import { MemoryEventSink } from '../../src/reporting/event-sink.js';
import { createLogger } from '../../src/util/logger.js';

const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');
const cleanup: string[] = [];
const stores: ProfileStore[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of stores.splice(0)) await s.stop();
  for (const d of cleanup.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tmp(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  cleanup.push(d);
  return d;
}
async function copyBundled(): Promise<string> {
  const d = await tmp('cw-fp-dir-');
  await cp(BUNDLED, d, { recursive: true });
  return d;
}
function pem(): { privateKey: import('node:crypto').KeyObject; publicPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

describe('sourceFingerprint', () => {
  it('is stable for the same bytes and changes with any file, a new file, a symlink or the keys file', async () => {
    const dir = await copyBundled();
    const keysFile = join(await tmp('cw-fp-keys-'), 'keys.pem');
    await writeFile(keysFile, pem().publicPem);
    const first = await sourceFingerprint(dir, keysFile);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await sourceFingerprint(dir, keysFile)).toBe(first);
    const seen = new Set([first]);
    const expectNew = async () => {
      const fp = await sourceFingerprint(dir, keysFile);
      expect(seen.has(fp)).toBe(false);
      seen.add(fp);
    };
    await writeFile(join(dir, 'site/site.yaml'), 'schemaVersion: 1\nretention: { siteDays: 60 }\n');
    await expectNew();
    await writeFile(join(dir, 'vendors/extra.yaml'), 'schemaVersion: 1\nid: extra\npriority: 1\n');
    await expectNew();
    await symlink('/etc/hostname', join(dir, 'vendors/link.yaml'));
    await expectNew();
    await writeFile(keysFile, pem().publicPem);
    await expectNew();
    expect(await sourceFingerprint(join(dir, 'absent'))).toBeUndefined();
  });
});

describe('ProfileStore re-check', () => {
  function makeStore(dir: string, dataDir: string, keysFile?: string) {
    const events = new MemoryEventSink();
    const store = new ProfileStore({
      dir,
      dataDir,
      keysFile,
      events,
      audit: new MemoryAuditSink(),
      logger: createLogger({ level: 'silent' }),
      watch: false,
      recheckMs: 0,
    });
    stores.push(store);
    return { store, events };
  }

  it('does not re-parse an unchanged tree, and does re-parse a changed one', async () => {
    const dir = await copyBundled();
    const { store } = makeStore(dir, await tmp('cw-fp-data-'));
    await store.start();
    // biome-ignore lint/suspicious/noExplicitAny: spying on the private loader is the observable here
    const load = vi.spyOn(ProfileStore.prototype as any, 'load');
    const revision = store.revision();
    expect(await store.reload()).toEqual({ revision, problems: [] });
    expect(load).not.toHaveBeenCalled();
    await writeFile(join(dir, 'site/site.yaml'), 'schemaVersion: 1\nretention: { siteDays: 60 }\n');
    await store.reload();
    expect(load).toHaveBeenCalledTimes(1);
    expect(store.current()?.retention.siteDays).toBe(60);
  });

  it('re-verifies a signed tree when only the keys file changed', async () => {
    const keys = pem();
    const keysFile = join(await tmp('cw-fp-keys-'), 'keys.pem');
    await writeFile(keysFile, keys.publicPem);
    const dir = await copyBundled();
    await signBundle(dir, keys.privateKey);
    const { store, events } = makeStore(dir, await tmp('cw-fp-data-'), keysFile);
    await store.start();
    expect(store.current()?.signed).toBe(true);
    await writeFile(keysFile, pem().publicPem); // the signing key was revoked and replaced
    const result = await store.reload();
    expect(result.problems.length).toBeGreaterThan(0);
    expect(events.ofType('profiles.rejected')).toHaveLength(1);
  });
});
