import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { computeDesired } from '../../src/enforce/desired-state.js';
import { Enforcer, type EnforcerDeps } from '../../src/enforce/enforcer.js';
import { addElementRuleset, tableRuleset } from '../../src/enforce/nft-ruleset.js';
import { planEnforcement } from '../../src/enforce/plan.js';
import type { FootageQuarantine } from '../../src/enforce/types.js';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import type { OnvifSession } from '../../src/onvif/session.js';
import { CheckedEventSink, expectEventsMatchSchemas } from '../helpers/checked-event-sink.js';
import { camera, enforceConfig, fakeNft, profileSet, vendor } from './fakes.js';

afterEach(expectEventsMatchSchemas);

let dir: string;
let stateFile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-enf-unit-'));
  stateFile = join(dir, 'enforcement-state.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function setup(over: Partial<EnforcerDeps> = {}) {
  const nft = fakeNft();
  const events = new CheckedEventSink();
  const audit = new MemoryAuditSink();
  const quarantined: string[] = [];
  const quarantine: FootageQuarantine = {
    quarantine: async (id) => {
      quarantined.push(`q:${id}`);
    },
    release: async (id, by) => {
      quarantined.push(`r:${id}:${by.reason}${by.keyId ? `:${by.keyId}` : ''}`);
    },
  };
  let now = Date.parse('2026-12-01T10:00:00Z');
  const clock = { advance: (ms: number) => (now += ms) };
  const deps: EnforcerDeps = {
    config: enforceConfig(),
    stateFile,
    nft: nft.run,
    quarantine,
    events,
    audit,
    clock: () => new Date(now),
    ...over,
  };
  return { enforcer: new Enforcer(deps), nft, events, audit, quarantined, clock, deps };
}

describe('nftables ruleset', () => {
  it('is a full, idempotent table definition with both sets and both chains', () => {
    expect(tableRuleset('camwarden', ['10.0.0.9', 'fd00::2', '10.0.0.3', 'fe80::1'])).toBe(`add table inet camwarden
delete table inet camwarden
table inet camwarden {
\tset blocked_v4 {
\t\ttype ipv4_addr
\t\telements = { 10.0.0.3, 10.0.0.9 }
\t}
\tset blocked_v6 {
\t\ttype ipv6_addr
\t\telements = { fd00::2, fe80::1 }
\t}
\tchain forward {
\t\ttype filter hook forward priority filter; policy accept;
\t\tip saddr @blocked_v4 drop
\t\tip daddr @blocked_v4 drop
\t\tip6 saddr @blocked_v6 drop
\t\tip6 daddr @blocked_v6 drop
\t}
\tchain input {
\t\ttype filter hook input priority filter; policy accept;
\t\tip saddr @blocked_v4 ct state established,related accept
\t\tip saddr @blocked_v4 drop
\t\tip6 saddr @blocked_v6 ct state established,related accept
\t\tip6 saddr @blocked_v6 icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
\t\tip6 saddr @blocked_v6 drop
\t}
}
`);
    expect(addElementRuleset('camwarden', ['fd00::2', '10.0.0.3'])).toBe(
      'add element inet camwarden blocked_v4 { 10.0.0.3 }\nadd element inet camwarden blocked_v6 { fd00::2 }\n',
    );
  });

  it('refuses anything that is not a dotted-quad IPv4, a canonical IPv6 or a safe table name', () => {
    expect(() => tableRuleset('camwarden', ['10.0.0.1 } ; flush ruleset ; {'])).toThrow(/refusing/);
    expect(() => tableRuleset('camwarden', ['FD00:0::2'])).toThrow(/refusing/); // not canonical
    expect(() => tableRuleset('camwarden', ['fe80::1%eth0'])).toThrow(/refusing/);
    expect(() => tableRuleset('cam warden', [])).toThrow(/table/);
  });
});

describe('planEnforcement / computeDesired', () => {
  const opts = {
    levers: { rtspOff: true, privacyMask: true, recordingJobIdle: true },
    nftables: true,
    quarantine: true,
  };

  it('isolates a blocked camera; flag and allow get nothing', () => {
    const d = computeDesired(
      [camera('a', '10.0.0.2', 'block'), camera('b', '10.0.0.3', 'flag'), camera('c', '10.0.0.4', 'allow')],
      profileSet(),
      opts,
    );
    expect(d.actions.map((a) => a.key).sort()).toEqual(['isolate:10.0.0.2', 'quarantine:a']);
  });

  it('never isolates the recorder address for a blocked NVR channel; uses channel levers instead', () => {
    const ps = profileSet({
      vendors: [vendor('nvr', { recordingJobIdle: true, privacyMask: true, rtspOff: true })],
      levers: { recordingJobIdle: true, privacyMask: true, rtspOff: true },
    });
    const nvr = camera('nvr1', '10.0.0.50', 'flag', { kind: 'recorder', vendorProfile: 'nvr' });
    const ch1 = camera('nvr1:VS1', '10.0.0.50', 'block', { parent: 'nvr1', channel: 'VS1' });
    const ch2 = camera('nvr1:VS2', '10.0.0.50', 'allow', { parent: 'nvr1', channel: 'VS2' });
    const d = computeDesired([nvr, ch1, ch2], ps, opts);
    expect(d.actions.map((a) => a.key).sort()).toEqual([
      'privacy-mask:nvr1:VS1',
      'quarantine:nvr1:VS1',
      'recording-job-idle:nvr1:VS1',
    ]);
    expect(d.actions.find((a) => a.kind === 'recording-job-idle')).toMatchObject({ channel: 'VS1', xaddr: nvr.xaddr });
    const blockedRecorder = computeDesired([{ ...nvr, decision: { action: 'block', reasons: [] } }, ch1], ps, opts);
    expect(blockedRecorder.actions.map((a) => a.key)).toContain('isolate:10.0.0.50');
    // The recorder's own job lever covers its channels' jobs (no double bookkeeping of the same jobs).
    expect(blockedRecorder.actions.map((a) => a.key)).toContain('recording-job-idle:nvr1');
    expect(blockedRecorder.actions.map((a) => a.key)).not.toContain('recording-job-idle:nvr1:VS1');
  });

  it('uses a lever only when config, site and vendor all enable it', () => {
    const cam = camera('a', '10.0.0.2', 'block', { vendorProfile: 'v' });
    const all = { rtspOff: true, privacyMask: true, recordingJobIdle: true };
    const keys = (ps: ReturnType<typeof profileSet>, levers = all) =>
      computeDesired([cam], ps, { ...opts, levers })
        .actions.map((a) => a.kind)
        .filter((k) => k === 'rtsp-off' || k === 'privacy-mask');
    expect(keys(profileSet({ vendors: [vendor('v', all)], levers: all }))).toEqual(['rtsp-off', 'privacy-mask']);
    expect(keys(profileSet({ vendors: [vendor('v', all)], levers: {} }))).toEqual([]);
    expect(keys(profileSet({ vendors: [vendor('v', {})], levers: all }))).toEqual([]);
    expect(
      keys(profileSet({ vendors: [vendor('v', all)], levers: all }), {
        rtspOff: false,
        privacyMask: false,
        recordingJobIdle: false,
      }),
    ).toEqual([]);
  });

  it('refuses to isolate loopback and reports it as skipped', () => {
    const d = computeDesired([camera('a', '127.0.0.5', 'block')], profileSet(), opts);
    expect(d.actions.map((a) => a.kind)).toEqual(['quarantine']);
    expect(d.skipped[0]).toMatchObject({
      cameraId: 'a',
      action: 'isolate',
      reason: expect.stringContaining('loopback'),
    });
  });

  it('never isolates an address of the gateway itself', () => {
    const d = computeDesired([camera('a', '10.0.0.1', 'block')], profileSet(), {
      ...opts,
      gatewayAddresses: ['10.0.0.1'],
    });
    expect(d.actions.map((a) => a.kind)).toEqual(['quarantine']);
    expect(d.skipped[0]?.reason).toContain('gateway itself');
  });

  it('reverts when the decision changes, keeps actions of cameras absent from the records', () => {
    const applied = new Map([
      [
        'isolate:10.0.0.2',
        {
          spec: { key: 'isolate:10.0.0.2', kind: 'isolate' as const, cameras: ['a'], address: '10.0.0.2' },
          appliedAt: '',
        },
      ],
      [
        'isolate:10.0.0.7',
        {
          spec: { key: 'isolate:10.0.0.7', kind: 'isolate' as const, cameras: ['gone'], address: '10.0.0.7' },
          appliedAt: '',
        },
      ],
      [
        'isolate:10.0.0.8',
        {
          spec: { key: 'isolate:10.0.0.8', kind: 'isolate' as const, cameras: [], address: '10.0.0.8' },
          appliedAt: '',
        },
      ],
    ]);
    const d = computeDesired([camera('a', '10.0.0.2', 'allow'), camera('b', '10.0.0.3', 'block')], profileSet(), {
      ...opts,
      quarantine: false,
    });
    const plan = planEnforcement(d, applied);
    expect(plan.apply.map((a) => a.key)).toEqual(['isolate:10.0.0.3']);
    expect(plan.revert.map((a) => a.spec.key).sort()).toEqual(['isolate:10.0.0.2', 'isolate:10.0.0.8']);
    expect(plan.retained.map((a) => a.spec.key)).toEqual(['isolate:10.0.0.7']);
    expect(
      planEnforcement(d, new Map([[plan.apply[0]?.key ?? '', { spec: plan.apply[0] as never, appliedAt: '' }]])).apply,
    ).toEqual([]);
  });
});

describe('Enforcer', () => {
  it('blocks: writes the table once, adds the address, quarantines; each action is an event and an audit entry', async () => {
    const { enforcer, nft, events, audit, quarantined } = setup();
    const records = [camera('a', '10.0.0.2', 'block'), camera('b', '10.0.0.3', 'flag')];
    const r = await enforcer.reconcile(records, profileSet());
    expect(r.applied.sort()).toEqual(['isolate:10.0.0.2', 'quarantine:a']);
    expect(nft.calls.map((c) => c.args.join(' '))).toEqual(['-j list table inet camwarden', '-f -', '-f -']);
    expect(nft.calls[1]?.stdin).toBe(tableRuleset('camwarden', []));
    expect(nft.calls[2]?.stdin).toBe('add element inet camwarden blocked_v4 { 10.0.0.2 }\n');
    expect([...nft.elements]).toEqual(['10.0.0.2']);
    expect(quarantined).toEqual(['q:a']);
    expect(
      events
        .ofType('enforcement.applied')
        .map((e) => e.key)
        .sort(),
    ).toEqual(['isolate:10.0.0.2', 'quarantine:a']);
    expect(audit.entries.filter((e) => e.kind === 'enforcement')).toHaveLength(2);
    const state = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(Object.keys(state.actions).sort()).toEqual(['isolate:10.0.0.2', 'quarantine:a']);

    // Idempotent: a second pass only reads the live set.
    const again = await enforcer.reconcile(records, profileSet());
    expect(again.applied).toEqual([]);
    expect(nft.calls).toHaveLength(4);

    // The decision changes (say a consent record arrived): everything is undone.
    const unblock = await enforcer.reconcile([camera('a', '10.0.0.2', 'flag'), records[1] as never], profileSet());
    expect(unblock.reverted.sort()).toEqual(['isolate:10.0.0.2', 'quarantine:a']);
    expect(nft.calls.at(-1)?.stdin).toBe('delete element inet camwarden blocked_v4 { 10.0.0.2 }\n');
    expect(nft.elements.size).toBe(0);
    // released on an authenticated re-verification: the register says why
    expect(quarantined).toEqual(['q:a', 'r:a:decision-changed']);
    expect(events.ofType('enforcement.reverted')).toHaveLength(2);
    expect(JSON.parse(await readFile(stateFile, 'utf8')).actions).toEqual({});
  });

  it("an operator's signed release is named when the camera's footage leaves quarantine", async () => {
    const { enforcer, quarantined } = setup();
    await enforcer.reconcile([camera('a', '10.0.0.2', 'block')], profileSet());
    enforcer.authorizeRelease('a', { reason: 'mis-tagged', unit: 'Store 1', name: 'Li', keyId: 'abcdef0123456789' });
    await enforcer.reconcile([camera('a', '10.0.0.2', 'flag')], profileSet());
    expect(quarantined).toEqual(['q:a', 'r:a:mis-tagged:abcdef0123456789']);
    await enforcer.reconcile([camera('a', '10.0.0.2', 'block')], profileSet());
    await enforcer.reconcile([camera('a', '10.0.0.2', 'allow')], profileSet());
    expect(quarantined.at(-1)).toBe('r:a:decision-changed'); // used once, not for the next block
  });

  it('a release that did not lift the block is forgotten: a later quarantine release does not name its operator', async () => {
    const { enforcer, quarantined } = setup();
    await enforcer.reconcile([camera('a', '10.0.0.2', 'block')], profileSet());
    enforcer.authorizeRelease('a', { reason: 'mis-tagged', unit: 'Store 1', name: 'Li', keyId: 'abcdef0123456789' });
    // re-verified as still prohibited: the agent tells the enforcer the release did not take
    await enforcer.reconcile([camera('a', '10.0.0.2', 'block')], profileSet());
    enforcer.forgetRelease('a');
    await enforcer.reconcile([camera('a', '10.0.0.2', 'allow')], profileSet());
    expect(quarantined).toEqual(['q:a', 'r:a:decision-changed']);
  });

  it('after a restart, reconciles from the live set: no duplicate, stale addresses removed, missing ones re-added', async () => {
    const first = setup();
    await first.enforcer.reconcile([camera('a', '10.0.0.2', 'block'), camera('b', '10.0.0.3', 'block')], profileSet());
    // Someone removes one address by hand and adds a foreign one while the agent is down.
    first.nft.elements.delete('10.0.0.3');
    first.nft.elements.add('10.0.0.99');
    const restarted = new Enforcer({ ...first.deps });
    const r = await restarted.reconcile(
      [camera('a', '10.0.0.2', 'block'), camera('b', '10.0.0.3', 'block')],
      profileSet(),
    );
    expect(r.applied).toEqual(['isolate:10.0.0.3']);
    expect(r.reverted).toEqual(['isolate:10.0.0.99']);
    expect([...first.nft.elements].sort()).toEqual(['10.0.0.2', '10.0.0.3']);
    // The rewrite on start kept the live elements (no window where a blocked camera was let through).
    const rewrite = first.nft.calls.filter((c) => c.stdin?.includes('delete table')).at(-1);
    expect(rewrite?.stdin).toContain('elements = { 10.0.0.2, 10.0.0.99 }');
  });

  it('rewrites the table (keeping its addresses) when a rule was removed by hand', async () => {
    const { enforcer, nft } = setup({ config: enforceConfig({ quarantineFootage: false }) });
    const records = [camera('a', '10.0.0.2', 'block')];
    await enforcer.reconcile(records, profileSet());
    const writes = () => nft.calls.filter((c) => c.stdin?.includes('delete table')).length;
    expect(writes()).toBe(1);
    await enforcer.reconcile(records, profileSet());
    expect(writes()).toBe(1);
    nft.table.tampered = true;
    const r = await enforcer.reconcile(records, profileSet());
    expect(writes()).toBe(2);
    expect(nft.calls.at(-1)?.stdin).toContain('elements = { 10.0.0.2 }');
    expect(r.applied).toEqual([]);
    expect([...nft.elements]).toEqual(['10.0.0.2']);
  });

  it('dry-run changes nothing: no nft command, no lever call, no hook, no state file; emits enforcement.planned', async () => {
    let sessions = 0;
    let hooks = 0;
    const { enforcer, nft, events, quarantined, audit } = setup({
      config: enforceConfig({ mode: 'dry-run', levers: { rtspOff: true, privacyMask: true, recordingJobIdle: true } }),
      openSession: async () => {
        sessions++;
        throw new Error('must not be called');
      },
      runHook: async () => {
        hooks++;
      },
    });
    const all = { rtspOff: true, privacyMask: true, recordingJobIdle: true };
    const ps = profileSet({
      vendors: [vendor('v', all)],
      levers: all,
      hooks: { stop: { kind: 'command', command: ['true'], timeoutMs: 1000 } },
    });
    const r = await enforcer.reconcile([camera('a', '10.0.0.2', 'block', { vendorProfile: 'v' })], ps);
    expect(r.plan.apply.map((a) => a.kind).sort()).toEqual([
      'isolate',
      'privacy-mask',
      'quarantine',
      'recorder-hook',
      'rtsp-off',
    ]);
    expect(r.applied).toEqual([]);
    expect(nft.calls).toEqual([]);
    expect(sessions).toBe(0);
    expect(hooks).toBe(0);
    expect(quarantined).toEqual([]);
    await expect(stat(stateFile)).rejects.toThrow(/ENOENT/);
    expect(events.ofType('enforcement.planned')).toHaveLength(5);
    expect(events.ofType('enforcement.applied')).toHaveLength(0);
    expect(audit.entries).toHaveLength(0);
  });

  it('off does nothing and emits nothing', async () => {
    const { enforcer, nft, events } = setup({ config: enforceConfig({ mode: 'off' }) });
    const r = await enforcer.reconcile([camera('a', '10.0.0.2', 'block')], profileSet());
    expect(r.plan.apply).toHaveLength(2);
    expect(nft.calls).toEqual([]);
    expect(events.events).toEqual([]);
  });

  it('retries a failing nft with exponential backoff and reports every failure', async () => {
    const { enforcer, nft, events, audit, clock } = setup({
      config: enforceConfig({ quarantineFootage: false, retryBaseMs: 1000, retryMaxMs: 4000 }),
    });
    nft.fail.next = 100;
    const records = [camera('a', '10.0.0.2', 'block')];
    const r1 = await enforcer.reconcile(records, profileSet());
    expect(r1.failed).toMatchObject([
      { key: 'isolate:10.0.0.2', attempt: 1, nextRetryMs: 1000, error: expect.stringContaining('not permitted') },
    ]);
    const r2 = await enforcer.reconcile(records, profileSet());
    expect(r2.deferred).toEqual(['isolate:10.0.0.2']);
    clock.advance(1000);
    expect((await enforcer.reconcile(records, profileSet())).failed[0]).toMatchObject({
      attempt: 2,
      nextRetryMs: 2000,
    });
    clock.advance(2000);
    expect((await enforcer.reconcile(records, profileSet())).failed[0]).toMatchObject({
      attempt: 3,
      nextRetryMs: 4000,
    });
    clock.advance(4000);
    expect((await enforcer.reconcile(records, profileSet())).failed[0]).toMatchObject({
      attempt: 4,
      nextRetryMs: 4000,
    });
    const failed = events.ofType('enforcement.failed');
    expect(failed.map((f) => ('attempt' in f ? f.attempt : undefined))).toEqual([1, 2, 3, 4]);
    expect(audit.entries.filter((e) => e.data.event === 'enforcement.failed')).toHaveLength(4);
    // nft comes back: the next due attempt succeeds.
    nft.fail.next = 0;
    clock.advance(4000);
    const ok = await enforcer.reconcile(records, profileSet());
    expect(ok.applied).toEqual(['isolate:10.0.0.2']);
    expect([...nft.elements]).toEqual(['10.0.0.2']);
  });

  it('retries on its own timer once started', async () => {
    const { enforcer, nft, events } = setup({
      config: enforceConfig({ quarantineFootage: false, retryBaseMs: 20, retryMaxMs: 40 }),
      clock: () => new Date(),
    });
    await enforcer.start();
    nft.fail.next = 2;
    await enforcer.reconcile([camera('a', '10.0.0.2', 'block')], profileSet());
    // The event comes after the element and the state file: wait for it, not for the element (a busy machine).
    await expect.poll(() => events.ofType('enforcement.applied').length, { timeout: 5000 }).toBe(1);
    expect([...nft.elements]).toEqual(['10.0.0.2']);
    expect(events.ofType('enforcement.failed').length).toBeGreaterThanOrEqual(1);
    await enforcer.stop();
  });

  it('reports an unenforceable block once (not on every pass)', async () => {
    const { enforcer, events } = setup({ config: enforceConfig({ quarantineFootage: false }) });
    for (let i = 0; i < 3; i++) await enforcer.reconcile([camera('a', '127.0.0.9', 'block')], profileSet());
    expect(events.ofType('enforcement.failed')).toMatchObject([{ cameraId: 'a', action: 'isolate', retry: false }]);
  });

  it('createEnforcer takes credentials from config: per device by address or pinned identity, defaults in scope', async () => {
    const { credentialsForXaddr } = await import('../../src/enforce/create-enforcer.js');
    const { configSchema } = await import('../../src/config/schema.js');
    const config = configSchema.parse({
      site: { id: 's', gatewayId: 'g' },
      discovery: { multicast: false, probeTargets: ['10.0.0.0/29'] },
      onvif: {
        username: 'def',
        password: 'p0',
        devices: [
          { address: '10.0.0.5', username: 'cam5', password: 'p5' },
          { serial: 'SN-9', username: 'cam9', password: 'p9' },
        ],
      },
    });
    expect(credentialsForXaddr(config, 'http://10.0.0.5/onvif/device_service')).toEqual({
      username: 'cam5',
      password: 'p5',
    });
    expect(credentialsForXaddr(config, 'http://10.0.0.6:8080/onvif/device_service')).toEqual({
      username: 'def',
      password: 'p0',
    });
    // outside the probe targets: no defaults
    expect(credentialsForXaddr(config, 'http://10.0.9.9/onvif/device_service')).toBeUndefined();
    // serial-bound credentials go to the address that identity is pinned at, and nowhere else
    const pins = [{ id: 'x', endpoint: 'urn:uuid:x', address: '10.0.9.9', serial: 'SN-9', pinnedAt: '' }];
    expect(credentialsForXaddr(config, 'http://10.0.9.9/onvif/device_service', pins)).toEqual({
      username: 'cam9',
      password: 'p9',
    });
    expect(credentialsForXaddr(config, 'http://10.0.9.8/onvif/device_service', pins)).toBeUndefined();
    expect(credentialsForXaddr(config, 'not a url')).toBeUndefined();
  });

  it('between scans, re-checks the live rules on an interval and restores a flushed table', async () => {
    const { enforcer, nft } = setup({
      config: enforceConfig({ quarantineFootage: false, reconcileIntervalMs: 20 }),
      clock: () => new Date(),
    });
    await enforcer.start();
    await enforcer.reconcile([camera('a', '10.0.0.2', 'block')], profileSet());
    nft.table.exists = false;
    nft.elements.clear();
    await expect.poll(() => [...nft.elements], { timeout: 2000 }).toEqual(['10.0.0.2']);
    await enforcer.stop();
  });

  it('a periodic pass due while newer decisions wait their turn enforces those, never the older ones', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      let open: () => void = () => undefined;
      const slow = new Promise<void>((r) => {
        open = r;
      });
      const { enforcer, nft, events } = setup({
        config: enforceConfig({ reconcileIntervalMs: 1000 }),
        clock: () => new Date(),
        quarantine: {
          // the footage of camera a takes long to move: the pass that blocks it is still running...
          quarantine: (id) => (id === 'a' ? slow : Promise.resolve()),
          release: async () => undefined,
        },
      });
      await enforcer.start();
      const first = enforcer.reconcile(
        [camera('a', '10.0.0.2', 'block'), camera('b', '10.0.0.3', 'allow')],
        profileSet(),
      );
      await expect.poll(() => [...nft.elements]).toEqual(['10.0.0.2']);
      // ...when a scan blocks b, and then the periodic re-check comes due
      const second = enforcer.reconcile(
        [camera('a', '10.0.0.2', 'block'), camera('b', '10.0.0.3', 'block')],
        profileSet(),
      );
      vi.advanceTimersByTime(1000);
      open();
      await Promise.all([first, second]);
      await enforcer.stop(); // waits for the queued periodic pass
      expect(events.ofType('enforcement.reverted').map((e) => e.key)).toEqual([]);
      expect([...nft.elements].sort()).toEqual(['10.0.0.2', '10.0.0.3']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a missing nft binary clearly without crashing', async () => {
    const { enforcer, events } = setup({
      nft: (await import('../../src/enforce/nft-runner.js')).createNftRunner({ nftPath: '/nonexistent/nft' }),
      config: enforceConfig({ quarantineFootage: false }),
    });
    const r = await enforcer.reconcile([camera('a', '10.0.0.2', 'block')], profileSet());
    expect(r.failed[0]?.error).toMatch(/not found/);
    expect(events.ofType('enforcement.failed')[0]).toMatchObject({
      key: 'isolate:10.0.0.2',
      error: expect.stringContaining('not found'),
    });
  });

  it('runs the recorder hook to stop, and the start hook on unblock', async () => {
    const calls: string[] = [];
    const { enforcer } = setup({
      config: enforceConfig({
        quarantineFootage: false,
        nftables: { enabled: false, nftPath: 'nft', table: 'camwarden' },
      }),
      runHook: async (hook, vars) => {
        calls.push(`${hook.command?.[0]}:${vars.camera}:${vars.address}:${vars.action}`);
      },
    });
    const ps = profileSet({
      hooks: {
        stop: { kind: 'command', command: ['stop-rec', '{camera}'], timeoutMs: 1000 },
        start: { kind: 'command', command: ['start-rec', '{camera}'], timeoutMs: 1000 },
      },
    });
    await enforcer.reconcile([camera('a', '10.0.0.2', 'block')], ps);
    await enforcer.reconcile([camera('a', '10.0.0.2', 'allow')], ps);
    expect(calls).toEqual(['stop-rec:a:10.0.0.2:stop', 'start-rec:a:10.0.0.2:start']);
  });

  it('records lever prior state and restores it (fake session)', async () => {
    const rtsp = { enabled: true, port: 554 };
    const bodies: string[] = [];
    const session: OnvifSession = {
      xaddr: 'x',
      close: () => undefined,
      call: async (_svc, body) => {
        bodies.push(body);
        if (body.includes('GetNetworkProtocols')) {
          return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><tds:GetNetworkProtocolsResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><tds:NetworkProtocols><tt:Name>HTTP</tt:Name><tt:Enabled>true</tt:Enabled><tt:Port>80</tt:Port></tds:NetworkProtocols><tds:NetworkProtocols><tt:Name>RTSP</tt:Name><tt:Enabled>${rtsp.enabled}</tt:Enabled><tt:Port>${rtsp.port}</tt:Port></tds:NetworkProtocols></tds:GetNetworkProtocolsResponse></s:Body></s:Envelope>`;
        }
        const m = body.match(/<tt:Name>RTSP<\/tt:Name><tt:Enabled>(\w+)<\/tt:Enabled><tt:Port>(\d+)/);
        if (m) rtsp.enabled = m[1] === 'true';
        return '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>';
      },
    };
    const all = { rtspOff: true, privacyMask: false, recordingJobIdle: false };
    const { enforcer } = setup({
      config: enforceConfig({
        quarantineFootage: false,
        levers: all,
        nftables: { enabled: false, nftPath: 'nft', table: 'camwarden' },
      }),
      openSession: async () => session,
    });
    const ps = profileSet({ vendors: [vendor('v', all)], levers: all });
    await enforcer.reconcile([camera('a', '10.0.0.2', 'block', { vendorProfile: 'v' })], ps);
    expect(rtsp.enabled).toBe(false);
    expect(bodies[1]).toContain('<tt:Name>HTTP</tt:Name><tt:Enabled>true</tt:Enabled><tt:Port>80</tt:Port>');
    const state = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(state.actions['rtsp-off:a'].prior).toEqual({ rtsp: { enabled: true, ports: [554] } });
    await enforcer.reconcile([camera('a', '10.0.0.2', 'flag', { vendorProfile: 'v' })], ps);
    expect(rtsp.enabled).toBe(true);
  });
});

describe('nft runner errors', () => {
  it('names the cause: not permitted, missing object, missing binary behind ip netns exec', async () => {
    const { classifyNftExit } = await import('../../src/enforce/nft-runner.js');
    const denied = classifyNftExit(['-f', '-'], 1, 'Error: Could not process rule: Operation not permitted\n', false);
    expect(denied.failure).toBe('denied');
    expect(denied.message).toContain('CAP_NET_ADMIN');
    expect(classifyNftExit(['-j', 'list', 'table'], 1, 'Error: No such file or directory\n', false).failure).toBe(
      'no-such-object',
    );
    expect(classifyNftExit(['-f', '-'], 255, 'exec of "nft" failed: No such file or directory\n', true).failure).toBe(
      'missing',
    );
  });
});

describe('Enforcer with the real audit log', () => {
  it('every action, undo and failure lands in a hash chain that verifies', async () => {
    const { AuditLog } = await import('../../src/audit/audit-log.js');
    const { verifyAuditLog } = await import('../../src/audit/verify.js');
    const events = new CheckedEventSink();
    const audit = new AuditLog({ file: join(dir, 'audit.jsonl'), events });
    await audit.start();
    const nft = fakeNft();
    const enforcer = new Enforcer({
      config: enforceConfig({ quarantineFootage: false }),
      stateFile,
      nft: nft.run,
      events,
      audit,
    });
    await enforcer.reconcile([camera('a', '10.0.0.2', 'block')], profileSet());
    nft.fail.next = 10;
    await enforcer.reconcile([camera('a', '10.0.0.2', 'allow')], profileSet());
    nft.fail.next = 0;
    await audit.stop();
    const result = await verifyAuditLog(join(dir, 'audit.jsonl'));
    expect(result).toMatchObject({ ok: true, entries: 2 });
    const lines = (await readFile(join(dir, 'audit.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.kind, l.data.event])).toEqual([
      ['enforcement', 'enforcement.applied'],
      ['enforcement', 'enforcement.failed'],
    ]);
    expect(events.ofType('audit.appended')).toHaveLength(2);
  });
});
