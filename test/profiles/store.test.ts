import { appendFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import { ProfileStore } from '../../src/profiles/profile-store.js';
import { CheckedEventSink, expectEventsMatchSchemas } from '../helpers/checked-event-sink.js';

afterEach(expectEventsMatchSchemas);

const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');
const tmpDirs: string[] = [];
const stores: ProfileStore[] = [];
async function tmp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cw-store-'));
  tmpDirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.stop();
  for (const d of tmpDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function makeStore(dir: string, dataDir: string, watch = true) {
  const events = new CheckedEventSink();
  const audit = new MemoryAuditSink();
  const store = new ProfileStore({
    dir,
    dataDir,
    events,
    audit,
    logger: pino({ level: 'silent' }),
    watch,
    debounceMs: 50,
    recheckMs: 0,
  });
  stores.push(store);
  await store.start();
  return { store, events, audit };
}

/** Waits for `cond`; the bound is liveness only (a reload validates a whole profile set, slow on a loaded machine). */
async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ProfileStore', () => {
  it('hot-reloads a changed file and swaps the revision', async () => {
    const dir = await tmp();
    const dataDir = await tmp();
    await cp(BUNDLED, dir, { recursive: true });
    const { store, events } = await makeStore(dir, dataDir);
    const first = store.revision();
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    await appendFile(join(dir, 'vendors', 'axis.yaml'), '\n# edited\n');
    await until(() => store.revision() !== first);
    expect(events.ofType('profiles.applied').length).toBeGreaterThan(0);
  });

  it('an invalid set keeps the last-known-good, emits profiles.rejected, and survives a restart', async () => {
    const dir = await tmp();
    const dataDir = await tmp();
    await cp(BUNDLED, dir, { recursive: true });
    const { store, events } = await makeStore(dir, dataDir, false);
    const good = store.revision();
    await writeFile(join(dir, 'vendors', 'axis.yaml'), 'schemaVersion: 1\nbogusField: true\n');
    const result = await store.reload();
    expect(result.problems.length).toBeGreaterThan(0);
    expect(store.revision()).toBe(good);
    expect(events.ofType('profiles.rejected').length).toBe(1);
    await store.stop();
    const again = await makeStore(dir, dataDir, false);
    expect(again.store.revision()).toBe(good);
    expect(again.events.ofType('profiles.rejected').length).toBe(1);
  });
});
