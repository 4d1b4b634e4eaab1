import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, type ScanFn } from '../../src/agent/agent.js';
import type { PolicyPort, ReportingPort, RetentionPort, SweepSummary } from '../../src/agent/ports.js';
import { loadConfig } from '../../src/config/load-config.js';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import type { CameraRecord, ScanResult } from '../../src/model/camera-records.js';
import { CamwardenError, ErrorCode } from '../../src/util/errors.js';
import { silentLogger } from '../../src/util/logger.js';
import { CheckedEventSink, expectEventsMatchSchemas } from '../helpers/checked-event-sink.js';
import { quietPorts } from './quiet-ports.js';

afterEach(expectEventsMatchSchemas);

function record(id: string, zone: string): CameraRecord {
  return {
    id,
    kind: 'camera',
    endpoint: `urn:uuid:${id}`,
    address: '192.0.2.1',
    xaddr: 'http://192.0.2.1/onvif/device_service',
    scopes: [`onvif://www.onvif.org/location/zone/${zone}`],
    location: { zone: 'unknown', source: 'none', tags: [`location/zone/${zone}`] },
    decision: { action: 'flag', reasons: [] },
    errors: [],
    // proved over an authenticated session in the scan that produced it: its own decision applies
    authenticated: true,
  };
}

function harness(scans: CameraRecord[][], scanOverride?: ScanFn) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-agent-'));
  const { config } = loadConfig({ CAMWARDEN_DATA_DIR: dataDir, CAMWARDEN_SCAN_SCHEDULE: '0 0 1 1 *' }, dataDir);
  const events = new CheckedEventSink();
  const audit = new MemoryAuditSink();
  const published: ScanResult[] = [];
  const reconciled: string[][] = [];
  /** Release authorities the agent gave the enforcement and took back, in order. */
  const authorities: string[] = [];
  const sweeps: number[] = [];
  let blockToilets = true;
  /** Audit appends wait for this (a slow disk), so a test can act while a decision is being adopted. */
  let auditHold: Promise<void> = Promise.resolve();
  const policy: PolicyPort = {
    name: 'policy',
    start: async () => undefined,
    stop: async () => undefined,
    current: () => undefined,
    revision: () => (blockToilets ? 'r1' : 'r2'),
    decide: (records) =>
      records.map((r) => {
        const toilet = r.location.tags.includes('location/zone/toilet');
        const action = toilet && blockToilets ? 'block' : 'allow';
        return {
          ...r,
          location: { ...r.location, zone: toilet ? 'toilet' : 'public-other', source: 'scope' },
          decision: { action, reasons: [] },
        };
      }),
    reload: async () => ({ revision: 'r2', problems: [] }),
  };
  const reporting: ReportingPort = {
    name: 'reporting',
    events,
    start: async () => undefined,
    stop: async () => undefined,
    outboxDepth: () => 0,
    seedInventory: () => undefined,
    publishInventory: async (r) => {
      published.push(r);
    },
  };
  const retention: RetentionPort = {
    name: 'retention',
    start: async () => undefined,
    stop: async () => undefined,
    run: async (): Promise<SweepSummary> => {
      sweeps.push(Date.now());
      return {
        dryRun: false,
        scanned: 0,
        deleted: 0,
        bytesFreed: 0,
        quarantined: 0,
        held: 0,
        unmatched: 0,
        skipped: [],
        errors: [],
      };
    },
  };
  let n = 0;
  const agent = new Agent({
    config,
    logger: silentLogger(),
    audit: {
      name: 'audit',
      start: async () => undefined,
      stop: async () => undefined,
      append: async (k, d) => {
        await auditHold;
        await audit.append(k, d);
      },
    },
    reporting,
    policy,
    enforcement: {
      name: 'enforce',
      start: async () => undefined,
      stop: async () => undefined,
      reconcile: async (records) => {
        reconciled.push(records.filter((r) => r.decision.action === 'block').map((r) => r.id));
      },
      authorizeRelease: (cameraId, by) => authorities.push(`authorize:${cameraId}:${by.name ?? ''}`),
      forgetRelease: (cameraId) => authorities.push(`forget:${cameraId}`),
    },
    retention,
    scan:
      scanOverride ??
      (async ({ decide, policyRevision }) => {
        const cameras = decide(scans[Math.min(n++, scans.length - 1)] ?? []);
        return { site: 's', gateway: 'g', scannedAt: new Date().toISOString(), policyRevision, cameras, errors: [] };
      }),
  });
  return {
    agent,
    dataDir,
    events,
    audit,
    published,
    reconciled,
    authorities,
    sweeps,
    unblock: () => (blockToilets = false),
    /** A profile change: toilets blocked or not from now on. */
    blockToilets: (on: boolean) => (blockToilets = on),
    holdAudit: (until: Promise<void>) => (auditHold = until),
  };
}

describe('Agent scan cycle', () => {
  it('stop() aborts a scan in flight instead of waiting it out', async () => {
    let seen: AbortSignal | undefined;
    const h = harness([], ({ signal }) => {
      seen = signal;
      return new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(new CamwardenError(ErrorCode.Aborted, 'scan aborted')));
      });
    });
    await h.agent.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen?.aborted).toBe(false);
    const started = Date.now();
    await h.agent.stop();
    expect(seen?.aborted).toBe(true);
    // the scan never ends by itself: stop() returning at all means it did not wait it out (bound: liveness only)
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(h.published).toHaveLength(0);
  });

  it('decides, persists, publishes and enforces each scan, auditing decision changes', async () => {
    const h = harness([[record('a', 'toilet'), record('b', 'lobby')]]);
    const result = await h.agent.scanCycle();
    expect(result.cameras.map((c) => c.decision.action)).toEqual(['block', 'allow']);
    expect(h.published).toHaveLength(1);
    expect(h.reconciled).toEqual([['a']]);
    const saved = JSON.parse(readFileSync(join(h.dataDir, 'inventory.json'), 'utf8')) as ScanResult;
    expect(saved.cameras.map((c) => c.id)).toEqual(['a', 'b']);
    expect(h.events.ofType('scan.completed')).toHaveLength(1);

    h.unblock();
    await h.agent.redecide();
    expect(h.reconciled.at(-1)).toEqual([]);
    expect(h.audit.entries.filter((e) => e.kind === 'decision').map((e) => e.data.cameraId)).toContain('a');
  });

  it('keeps a blocked camera that stopped answering (not-seen, unverified-device) for as long as it stays away', async () => {
    const h = harness([[record('a', 'toilet'), record('b', 'lobby')], [record('b', 'lobby')]]);
    await h.agent.scanCycle();
    const second = await h.agent.scanCycle();
    const kept = second.cameras.find((c) => c.id === 'a');
    expect(kept?.decision.action).toBe('block');
    expect(kept?.decision.reasons.map((r) => r.code)).toEqual(['unverified-device']);
    expect(kept?.errors.map((e) => e.code)).toContain('not-seen');
    expect(kept?.missedScans).toBe(1);
    expect(h.reconciled.at(-1)).toEqual(['a']);
    for (let i = 0; i < 4; i++) await h.agent.scanCycle();
    const sixth = await h.agent.scanCycle();
    expect(sixth.cameras.map((c) => [c.id, c.decision.action, c.missedScans])).toEqual([
      ['b', 'allow', undefined],
      ['a', 'block', 6],
    ]);
    // a profile change re-decides the carried record: it is not re-verified, so the block holds
    h.unblock();
    await h.agent.redecide();
    expect(h.reconciled.at(-1)).toEqual(['a']);
  });

  it('drops a camera that was not blocked after a few scans without an answer', async () => {
    const h = harness([[record('b', 'lobby')], []]);
    await h.agent.scanCycle();
    for (let i = 0; i < 3; i++) expect((await h.agent.scanCycle()).cameras.map((c) => c.id)).toEqual(['b']);
    expect((await h.agent.scanCycle()).cameras).toEqual([]);
  });

  it('an unauthenticated answer never lifts a block, whatever it says; an authenticated one does', async () => {
    const unauth = (r: CameraRecord): CameraRecord => ({ ...r, authenticated: false });
    const h = harness([
      [record('a', 'toilet')],
      [unauth(record('a', 'lobby'))],
      [{ ...unauth(record('a', 'lobby')), unverified: true }],
      [record('a', 'lobby')],
    ]);
    expect((await h.agent.scanCycle()).cameras[0]?.decision.action).toBe('block');
    for (let i = 0; i < 2; i++) {
      const held = (await h.agent.scanCycle()).cameras[0];
      expect(held?.decision.action).toBe('block');
      expect(held?.decision.reasons[0]?.code).toBe('unverified-device');
      // the record stays as it was: the zone that blocked it, not the one the unproved answer claims
      expect(held?.location.tags).toEqual(['location/zone/toilet']);
    }
    expect((await h.agent.scanCycle()).cameras[0]?.decision.action).toBe('allow');
    expect(h.reconciled.map((ids) => ids.join())).toEqual(['a', 'a', 'a', '']);
  });

  it('persists what a scan pinned and reports a conflict once, not on every scan it lasts', async () => {
    const claimant: CameraRecord = {
      ...record('c1', 'lobby'),
      errors: [{ code: 'identity-conflict', message: 'claims camera a' }],
    };
    const conflict = {
      type: 'identity.conflict' as const,
      data: {
        endpoint: 'urn:uuid:a',
        cameraId: 'a',
        address: '192.0.2.1',
        claimantId: 'c1',
        claimantAddress: '192.0.2.66',
        addresses: ['192.0.2.1', '192.0.2.66'],
        reason: 'r',
      },
    };
    const pin = { id: 'a', endpoint: 'urn:uuid:a', address: '192.0.2.1', serial: 'S', pinnedAt: 'now' };
    const h = harness([], async ({ decide, policyRevision, onIdentity }) => {
      onIdentity({ pins: [pin], events: [conflict] });
      return {
        site: 's',
        gateway: 'g',
        scannedAt: new Date().toISOString(),
        policyRevision,
        cameras: decide([record('a', 'toilet'), claimant]),
        errors: [],
      };
    });
    for (let i = 0; i < 3; i++) await h.agent.scanCycle();
    expect(h.events.ofType('identity.conflict')).toEqual([conflict.data]);
    expect(h.audit.entries.filter((e) => e.kind === 'identity')).toHaveLength(1);
    const saved = JSON.parse(readFileSync(join(h.dataDir, 'identity-pins.json'), 'utf8')) as { pins: unknown[] };
    expect(saved.pins).toEqual([pin]);
    // the claimant is never allowed, whatever its zone
    expect(h.agent.lastInventory?.cameras.find((c) => c.id === 'c1')?.decision.action).toBe('flag');
  });

  it('a corrupt or unreadable inventory stops the start (named) rather than forget which cameras are blocked', async () => {
    const h = harness([[record('a', 'toilet')]]);
    await h.agent.scanCycle();
    const file = join(h.dataDir, 'inventory.json');
    const { config } = loadConfig({ CAMWARDEN_DATA_DIR: h.dataDir, CAMWARDEN_SCAN_SCHEDULE: '0 0 1 1 *' }, h.dataDir);
    for (const damage of [
      () => writeFileSync(file, '{"site":"s","cameras":[{"id":"a"'),
      () => writeFileSync(file, 'null'),
      () => {
        rmSync(file, { force: true });
        mkdirSync(file);
      },
    ]) {
      damage();
      const reconciled: string[][] = [];
      const restarted = new Agent({
        config,
        logger: silentLogger(),
        ...quietPorts(async (records) => {
          reconciled.push(records.filter((r) => r.decision.action === 'block').map((r) => r.id));
        }),
        retention: undefined,
        // what would follow: the blocked camera answers without authenticating, with a harmless zone
        scan: async ({ decide, policyRevision }) => ({
          site: 's',
          gateway: 'g',
          scannedAt: new Date().toISOString(),
          policyRevision,
          cameras: decide([{ ...record('a', 'lobby'), authenticated: false }]),
          errors: [],
        }),
      });
      await expect(restarted.start()).rejects.toThrow(file);
      await restarted.stop();
      expect(reconciled).toEqual([]);
      rmSync(file, { recursive: true, force: true });
    }
  });

  it('a release that does not lift the block (re-verified as prohibited) takes its authority back', async () => {
    const { agent, authorities } = harness([[record('t', 'toilet'), record('l', 'lobby')]]);
    await agent.start();
    await agent.scanJob.runNow();
    const released = await agent.releaseBlock({
      cameraId: 't',
      reason: 'thought mis-tagged',
      unit: 'u',
      name: 'Li',
      keyId: 'k',
      transaction: 'tx',
    });
    // The camera answered authenticated from a toilet: the block stands.
    expect(released.action).toBe('block');
    expect(authorities).toEqual(['authorize:t:Li', 'forget:t']);
    await agent.stop();
  });

  it('a missing inventory: what the enforcement state still blocks is held until re-verified or released', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-agent-'));
    const { config } = loadConfig({ CAMWARDEN_DATA_DIR: dataDir, CAMWARDEN_SCAN_SCHEDULE: '0 0 1 1 *' }, dataDir);
    // inventory.json lost with a disk swap; the state of the blocks it decided is still there: camera a isolated
    // and quarantined, an NVR channel masked (its parent's record is lost too), camera c's hook stopped
    const applied = (key: string, spec: Record<string, unknown>) => [
      key,
      { spec: { key, ...spec }, appliedAt: '2025-01-01T00:00:00.000Z' },
    ];
    const actions = Object.fromEntries([
      applied('isolate:192.0.2.1', { kind: 'isolate', cameras: ['a'], address: '192.0.2.1' }),
      applied('quarantine:a', { kind: 'quarantine', cameras: ['a'], cameraId: 'a' }),
      applied('privacy-mask:nvr:ch1', {
        kind: 'privacy-mask',
        cameras: ['nvr:ch1'],
        cameraId: 'nvr:ch1',
        xaddr: 'http://192.0.2.9/onvif/device_service',
        channel: 'ch1',
      }),
      applied('recorder-hook:c', { kind: 'recorder-hook', cameras: ['c'], cameraId: 'c', address: '192.0.2.3' }),
    ]);
    writeFileSync(join(dataDir, 'enforcement-state.json'), JSON.stringify({ version: 1, actions }));
    const unauth = (id: string): CameraRecord => ({ ...record(id, 'lobby'), authenticated: false });
    const channel = (r: CameraRecord): CameraRecord => ({ ...r, parent: 'nvr', channel: 'ch1' });
    const proved = (id: string): CameraRecord => ({
      ...record(id, 'lobby'),
      decision: { action: 'allow', reasons: [] },
    });
    const scans: CameraRecord[][] = [
      // a answers without authenticating, the channel's recorder too, c does not answer, b was never blocked
      [unauth('a'), channel({ ...unauth('nvr:ch1'), unverified: true }), unauth('b')],
      // after a restart (the new inventory.json has no record of c): c answers, without authenticating
      [unauth('a'), channel(unauth('nvr:ch1')), unauth('b'), unauth('c')],
      [proved('a'), channel(unauth('nvr:ch1')), unauth('b'), unauth('c')],
    ];
    let n = 0;
    const reconciled: string[][] = [];
    const newAgent = () =>
      new Agent({
        config,
        logger: silentLogger(),
        ...quietPorts(async (records) => {
          reconciled.push(records.filter((r) => r.decision.action === 'block').map((r) => r.id));
        }),
        retention: undefined,
        scan: async ({ policyRevision }) => ({
          site: 's',
          gateway: 'g',
          scannedAt: new Date().toISOString(),
          policyRevision,
          cameras: scans[n++] ?? [],
          errors: [],
        }),
      });
    const actionsOf = (r: ScanResult) => r.cameras.map((c) => [c.id, c.decision.action]);
    const agent = newAgent();
    await agent.start();
    const first = await agent.scanJob.runNow(); // the scan start() begins
    expect(actionsOf(first)).toEqual([
      ['a', 'block'],
      ['nvr:ch1', 'block'],
      ['b', 'flag'],
    ]);
    expect(first.cameras[0]?.decision.reasons.map((r) => r.code)).toEqual(['unverified-device']);
    expect(first.cameras[0]?.unverified).toBe(true);
    // c, absent, has no record: its action stays in force (enforce/plan.ts) and its block waits for it
    await agent.stop();

    const restarted = newAgent();
    await restarted.start();
    const second = await restarted.scanJob.runNow();
    expect(actionsOf(second)).toEqual([
      ['a', 'block'],
      ['nvr:ch1', 'block'],
      ['b', 'flag'],
      ['c', 'block'],
    ]);
    // a signed release lifts the channel's block; an authenticated interrogation that read its location, a's
    await restarted.releaseBlock({
      cameraId: 'nvr:ch1',
      reason: 'tag corrected',
      unit: 'u',
      name: 'n',
      keyId: 'k',
      transaction: 't',
    });
    expect(restarted.lastInventory?.cameras.find((c) => c.id === 'nvr:ch1')?.decision.action).toBe('flag');
    const third = await restarted.scanCycle();
    expect(actionsOf(third)).toEqual([
      ['a', 'allow'],
      ['nvr:ch1', 'flag'],
      ['b', 'flag'],
      ['c', 'block'],
    ]);
    await restarted.stop();
    expect(reconciled).toEqual([
      ['a', 'nvr:ch1'],
      ['a', 'nvr:ch1'], // the restart reconciles from the inventory the first scan wrote
      ['a', 'nvr:ch1', 'c'],
      ['a', 'c'],
      ['c'],
    ]);
  });

  it('a missing inventory with a corrupt enforcement state stops the start (named): the blocks are unknown', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-agent-'));
    const { config } = loadConfig({ CAMWARDEN_DATA_DIR: dataDir, CAMWARDEN_SCAN_SCHEDULE: '0 0 1 1 *' }, dataDir);
    const file = join(dataDir, 'enforcement-state.json');
    writeFileSync(file, '{"version":1,"actions":{');
    const reconciled: string[][] = [];
    const agent = new Agent({
      config,
      logger: silentLogger(),
      ...quietPorts(async (records) => {
        reconciled.push(records.map((r) => r.id));
      }),
      retention: undefined,
      scan: async () => {
        throw new CamwardenError(ErrorCode.Internal, 'no scan expected');
      },
    });
    await expect(agent.start()).rejects.toThrow(file);
    await agent.stop();
    expect(reconciled).toEqual([]);
  });

  it('a profile change during a scan: the scan is decided again under the new profiles, never the old', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    let n = 0;
    const h = harness([], async ({ decide, policyRevision }) => {
      // decided as the scan goes, under the profiles of that moment; the second scan then waits on a slow device
      const cameras = decide([record('a', 'toilet')]);
      if (n++ === 1) await gate;
      return { site: 's', gateway: 'g', scannedAt: new Date().toISOString(), policyRevision, cameras, errors: [] };
    });
    h.blockToilets(false);
    expect((await h.agent.scanCycle()).cameras[0]?.decision.action).toBe('allow');
    const second = h.agent.scanCycle();
    await new Promise((r) => setImmediate(r));
    h.blockToilets(true); // the new profiles prohibit the room: re-decided and enforced at once
    await h.agent.redecide();
    expect(h.reconciled.at(-1)).toEqual(['a']);
    open();
    const result = await second;
    expect(result.policyRevision).toBe('r1');
    expect(result.cameras[0]?.decision.action).toBe('block');
    expect(h.reconciled.at(-1)).toEqual(['a']);
  });

  it('a profile change racing a scan: the newest scan ends decided under the newest profiles', async () => {
    let openScan: () => void = () => undefined;
    const scanGate = new Promise<void>((r) => {
      openScan = r;
    });
    let n = 0;
    const h = harness([], async ({ decide, policyRevision }) => {
      // the second scan finds b moved into a toilet (decided under the profiles of that moment), then waits
      const cameras = decide([record('a', 'toilet'), record('b', n === 0 ? 'lobby' : 'toilet')]);
      if (n++ === 1) await scanGate;
      return { site: 's', gateway: 'g', scannedAt: new Date().toISOString(), policyRevision, cameras, errors: [] };
    });
    h.blockToilets(false);
    await h.agent.scanCycle();
    const second = h.agent.scanCycle();
    await new Promise((r) => setImmediate(r));
    // the profiles now block toilets; their re-decision is being audited (a slow disk) as the scan comes back
    let openAudit: () => void = () => undefined;
    h.holdAudit(
      new Promise<void>((r) => {
        openAudit = r;
      }),
    );
    h.blockToilets(true);
    const redecided = h.agent.redecide();
    openScan();
    openAudit();
    await Promise.all([second, redecided]);
    expect(h.agent.lastInventory?.cameras.map((c) => [c.id, c.decision.action])).toEqual([
      ['a', 'block'],
      ['b', 'block'],
    ]);
    expect(h.reconciled.at(-1)).toEqual(['a', 'b']);
  });

  it('restarts from the persisted inventory: enforcement is reconciled before the first new scan', async () => {
    const h = harness([[record('a', 'toilet')]]);
    await h.agent.scanCycle();
    const { config } = loadConfig({ CAMWARDEN_DATA_DIR: h.dataDir, CAMWARDEN_SCAN_SCHEDULE: '0 0 1 1 *' }, h.dataDir);
    const reconciled: string[][] = [];
    const restarted = new Agent({
      config,
      logger: silentLogger(),
      ...quietPorts(async (records) => {
        reconciled.push(records.filter((r) => r.decision.action === 'block').map((r) => r.id));
      }),
      retention: undefined,
      scan: async ({ policyRevision }) => ({
        site: 's',
        gateway: 'g',
        scannedAt: new Date().toISOString(),
        policyRevision,
        cameras: [],
        errors: [],
      }),
    });
    await restarted.start();
    expect(reconciled[0]).toEqual(['a']);
    await restarted.stop();
  });
});
