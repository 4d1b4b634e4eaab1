import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import { ConsentRecordStore, loadProfileSet, ProfileStore, signBundle } from '../../src/profiles/index.js';
import { sourceFingerprint } from '../../src/profiles/source-fingerprint.js';
import { createLogger } from '../../src/util/logger.js';
import { CheckedEventSink, expectEventsMatchSchemas } from '../helpers/checked-event-sink.js';

afterEach(expectEventsMatchSchemas);

const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');
const tmpDirs: string[] = [];
const stores: ProfileStore[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of stores.splice(0)) await s.stop();
  for (const d of tmpDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tmp(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}
async function copyBundled(): Promise<string> {
  const d = await tmp('cw-prof-dir-');
  await cp(BUNDLED, d, { recursive: true });
  return d;
}
function makeStore(dir: string, dataDir: string, extra: Partial<ConstructorParameters<typeof ProfileStore>[0]> = {}) {
  const events = new CheckedEventSink();
  const audit = new MemoryAuditSink();
  const store = new ProfileStore({
    dir,
    dataDir,
    events,
    audit,
    logger: createLogger({ level: 'silent' }),
    debounceMs: 50,
    recheckMs: 0,
    ...extra,
  });
  stores.push(store);
  return { store, events, audit };
}
/** Waits for `cond`; the bound is liveness only (a reload validates a whole profile set, slow on a loaded machine). */
async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}
async function filesOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[relative(dir, join(e.parentPath, e.name))] = await readFile(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}
const SITE_60 = 'schemaVersion: 1\nretention: { siteDays: 60 }\n';
const BROKEN = 'schemaVersion: 1\ndefaultSystemClass: nope\n';

describe('ProfileStore lifecycle', () => {
  it('hot-reloads a changed file: new revision, profiles.applied {revision, previous}, audit entry', async () => {
    const dir = await copyBundled();
    const { store, events, audit } = makeStore(dir, await tmp('cw-prof-data-'), { watch: true });
    await store.start();
    const first = store.revision();
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    let changed = 0;
    store.onChange(() => changed++);
    await writeFile(join(dir, 'site/site.yaml'), SITE_60);
    await until(() => events.ofType('profiles.applied').some((e) => e.previous === first));
    expect(store.current()?.retention.siteDays).toBe(60);
    expect(changed).toBeGreaterThan(0);
    expect(events.ofType('profiles.applied').at(-1)).toMatchObject({ revision: store.revision(), previous: first });
    expect(audit.entries.some((e) => e.kind === 'profiles' && e.data.revision === store.revision())).toBe(true);
  });

  it('keeps the old set on an invalid change, emits profiles.rejected once per distinct problem set', async () => {
    const dir = await copyBundled();
    const { store, events } = makeStore(dir, await tmp('cw-prof-data-'), { watch: false });
    await store.start();
    const first = store.revision();
    await writeFile(join(dir, 'site/site.yaml'), BROKEN);
    const r = await store.reload();
    expect(r.problems.some((p) => p.startsWith('site/site.yaml: defaultSystemClass:'))).toBe(true);
    expect(store.revision()).toBe(first);
    expect(events.ofType('profiles.rejected')).toHaveLength(1);
    await store.reload();
    expect(events.ofType('profiles.rejected')).toHaveLength(1);
  });

  it('refuses a tampered last-known-good copy on load', async () => {
    const dir = await copyBundled();
    const dataDir = await tmp('cw-prof-data-');
    const a = makeStore(dir, dataDir, { watch: false });
    await a.store.start();
    await a.store.stop();
    const lkgSite = join(dataDir, 'profiles-lkg/bundle/site/site.yaml');
    await writeFile(lkgSite, `${await readFile(lkgSite, 'utf8')}\n# edited\n`);
    await writeFile(join(dir, 'site/site.yaml'), BROKEN);
    const b = makeStore(dir, dataDir, { watch: false });
    await b.store.start();
    expect(b.store.current()).toBeUndefined();
    expect(b.events.ofType('profiles.rejected').some((e) => e.source === 'last-known-good')).toBe(true);
  });

  it('applyBundle: dry run changes nothing; invalid and escaping bundles are refused; a valid one becomes active', async () => {
    const dir = await copyBundled();
    const dataDir = await tmp('cw-prof-data-');
    const { store, events } = makeStore(dir, dataDir, { watch: false });
    await store.start();
    const first = store.revision();
    const files = await filesOf(BUNDLED);
    files['site/site.yaml'] = SITE_60;
    const dry = await store.applyBundle(files, { dryRun: true });
    expect(dry.problems).toEqual([]);
    expect(dry.revision).not.toBe(first);
    expect(store.revision()).toBe(first);
    const bad = await store.applyBundle({ ...files, 'site/site.yaml': BROKEN }, {});
    expect(bad.problems.length).toBeGreaterThan(0);
    expect(store.revision()).toBe(first);
    const escaping = await store.applyBundle({ ...files, '../evil.yaml': 'x' }, {});
    expect(escaping.problems[0]).toMatch(/^\.\.\/evil\.yaml: \(root\): path must be relative/);
    const ok = await store.applyBundle(files, {});
    expect(ok).toEqual({ revision: dry.revision, problems: [] });
    expect(store.revision()).toBe(dry.revision);
    expect(store.current()?.retention.siteDays).toBe(60);
    expect(store.dir().startsWith(join(dataDir, 'profiles-applied'))).toBe(true);
    expect(await readFile(join(dir, 'site/site.yaml'), 'utf8')).not.toBe(SITE_60);
    expect(events.ofType('profiles.applied').at(-1)).toMatchObject({ revision: ok.revision, previous: first });
    await store.stop();
    const again = makeStore(dir, dataDir, { watch: false });
    await again.store.start();
    expect(again.store.revision()).toBe(ok.revision);
  });

  it('a change is not made until its audit entry is written: reload and apply keep the live set meanwhile', async () => {
    const dir = await copyBundled();
    const dataDir = await tmp('cw-prof-data-');
    const { store, events, audit } = makeStore(dir, dataDir, { watch: false });
    await store.start();
    const first = store.revision();
    const failing = vi.spyOn(audit, 'append').mockRejectedValue(new Error('ENOSPC: no space left on device'));
    // A reload of changed files: refused while the audit log cannot take the entry, retried by the next re-check.
    await writeFile(join(dir, 'site/site.yaml'), SITE_60);
    const reloaded = await store.reload();
    expect(reloaded.revision).toBe(first);
    expect(reloaded.problems).toEqual([
      expect.stringMatching(/^\(audit\): .*ENOSPC.*not applied until it is recorded/),
    ]);
    expect(store.revision()).toBe(first);
    expect(events.ofType('profiles.rejected').at(-1)).toMatchObject({ source: 'reload', keeping: first });
    // A signed bundle by request: refused the same way, and it does not become the set a restart loads.
    const files = await filesOf(BUNDLED);
    files['site/site.yaml'] = 'schemaVersion: 1\nretention: { siteDays: 90 }\n';
    const applied = await store.applyBundle(files, {});
    expect(applied.revision).toBe(first);
    expect(applied.problems).toEqual([expect.stringMatching(/^\(audit\): /)]);
    expect(store.dir()).toBe(dir);
    failing.mockRestore();
    const retried = await store.reload();
    expect(retried.problems).toEqual([]);
    expect(store.current()?.retention.siteDays).toBe(60);
    expect(audit.entries.at(-1)).toMatchObject({
      kind: 'profiles',
      data: { action: 'applied', revision: retried.revision, previous: first, source: 'reload' },
    });
    await store.stop();
    const restarted = makeStore(dir, dataDir, { watch: false });
    await restarted.store.start();
    expect(restarted.store.current()?.retention.siteDays).toBe(60);
  });

  it('merges runtime consent records into every loaded set', async () => {
    const dir = await copyBundled();
    const dataDir = await tmp('cw-prof-data-');
    const { store } = makeStore(dir, dataDir, { watch: false, consents: new ConsentRecordStore(dataDir) });
    await store.start();
    await expect(
      store.recordConsent({ cameraId: 'cam-1', reference: 'PSB-1', validUntil: '2026-13-01' }),
    ).rejects.toThrow(/validUntil/);
    await store.recordConsent({
      cameraId: 'cam-1',
      reference: 'PSB-1',
      grantedBy: 'PSB',
      unitKind: 'state-organ',
      validUntil: '2027-01-01',
    });
    expect(store.current()?.site.consents).toEqual([
      expect.objectContaining({
        id: 'PSB-1',
        issuingUnit: 'PSB',
        unitKind: 'state-organ',
        cameras: ['cam-1'],
        expires: '2027-01-01',
      }),
    ]);
    await writeFile(join(dir, 'site/site.yaml'), SITE_60);
    await store.reload();
    expect(store.current()?.site.consents.map((c) => c.id)).toEqual(['PSB-1']);
    const persisted = new ConsentRecordStore(dataDir);
    await persisted.load();
    expect(persisted.list().map((c) => c.id)).toEqual(['PSB-1']);
  });
});

describe('signed bundles (extra and missing files, store)', () => {
  it('refuses extra and missing files', async () => {
    const keys = keyPair();
    const keysFile = join(await tmp('cw-prof-keys-'), 'keys.pem');
    await writeFile(keysFile, keys.publicPem);
    const extra = await copyBundled();
    await signBundle(extra, keys.privateKey);
    await writeFile(join(extra, 'vendors/rogue.yaml'), 'schemaVersion: 1\nid: rogue\npriority: 999\n');
    await expect(loadProfileSet(extra, { keysFile })).rejects.toMatchObject({
      problems: ['vendors/rogue.yaml: (root): file not in the signed manifest'],
    });
    const missing = await copyBundled();
    await signBundle(missing, keys.privateKey);
    await rm(join(missing, 'vendors/generic.yaml'));
    await expect(loadProfileSet(missing, { keysFile })).rejects.toMatchObject({
      problems: ['vendors/generic.yaml: (root): listed in the manifest but missing'],
    });
  });

  it('a store with keys applies only signed bundles and keeps a signed LKG across a tampered restart', async () => {
    const keys = keyPair();
    const keysFile = join(await tmp('cw-prof-keys-'), 'keys.pem');
    await writeFile(keysFile, keys.publicPem);
    const dir = await copyBundled();
    await signBundle(dir, keys.privateKey);
    const dataDir = await tmp('cw-prof-data-');
    const { store } = makeStore(dir, dataDir, { watch: false, keysFile });
    await store.start();
    expect(store.current()?.signed).toBe(true);
    const r = await store.applyBundle(await filesOf(BUNDLED), {});
    expect(r.problems[0]).toMatch(/unsigned bundle refused/);
    await store.stop();
    await writeFile(join(dir, 'vendors/axis.yaml'), 'schemaVersion: 1\nid: axis\npriority: 1\n');
    const b = makeStore(dir, dataDir, { watch: false, keysFile });
    await b.store.start();
    expect(b.store.current()?.signed).toBe(true);
    expect(b.store.current()?.vendors.find((v) => v.id === 'axis')?.priority).toBe(100);
  });
});

describe('sourceFingerprint', () => {
  it('is stable for the same bytes and changes with any file, a new file, a symlink or the keys file', async () => {
    const dir = await copyBundled();
    const keysFile = join(await tmp('cw-fp-keys-'), 'keys.pem');
    await writeFile(keysFile, keyPair().publicPem);
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
    await writeFile(keysFile, keyPair().publicPem);
    await expectNew();
    expect(await sourceFingerprint(join(dir, 'absent'))).toBeUndefined();
  });
});

describe('ProfileStore re-check', () => {
  it('does not re-parse an unchanged tree, and does re-parse a changed one', async () => {
    const dir = await copyBundled();
    const { store } = makeStore(dir, await tmp('cw-fp-data-'), { watch: false });
    await store.start();
    // biome-ignore lint/suspicious/noExplicitAny: spying on the private loader is the observable here
    const load = vi.spyOn(ProfileStore.prototype as any, 'load');
    const revision = store.revision();
    expect(await store.reload()).toEqual({ revision, problems: [] });
    expect(load).not.toHaveBeenCalled();
    await writeFile(join(dir, 'site/site.yaml'), 'schemaVersion: 1\nretention: { siteDays: 60 }\n');
    await store.reload();
    // the profiles dir is parsed once (the last-known-good copy written after it is checked by the same loader)
    expect(load.mock.calls.filter(([from]) => from === dir)).toHaveLength(1);
    expect(store.current()?.retention.siteDays).toBe(60);
  });

  it('re-verifies a signed tree when only the keys file changed', async () => {
    const keys = keyPair();
    const keysFile = join(await tmp('cw-fp-keys-'), 'keys.pem');
    await writeFile(keysFile, keys.publicPem);
    const dir = await copyBundled();
    await signBundle(dir, keys.privateKey);
    const { store, events } = makeStore(dir, await tmp('cw-fp-data-'), { watch: false, keysFile });
    await store.start();
    expect(store.current()?.signed).toBe(true);
    await writeFile(keysFile, keyPair().publicPem); // the signing key was revoked and replaced
    const result = await store.reload();
    expect(result.problems.length).toBeGreaterThan(0);
    expect(events.ofType('profiles.rejected')).toHaveLength(1);
  });
});
