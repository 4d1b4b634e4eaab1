import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Enforcer } from '../../src/enforce/enforcer.js';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import { createOpenSession } from '../../src/onvif/open-session.js';
import type { OpenSession } from '../../src/onvif/session.js';
import { type SimulatedSite, startSimulatedSite } from '../../src/simulator/index.js';
import { CheckedEventSink, expectEventsMatchSchemas } from '../helpers/checked-event-sink.js';
import { camera, enforceConfig, profileSet, vendor } from './fakes.js';
import { createRawSoapOpenSession } from './raw-soap-session.js';

afterEach(expectEventsMatchSchemas);

const ALL = { rtspOff: true, privacyMask: true, recordingJobIdle: true };
const NONE = { rtspOff: false, privacyMask: false, recordingJobIdle: false };
const auth = { mode: 'ws-security' as const, username: 'admin', password: 'sim-secret' };

let site: SimulatedSite;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-enf-sim-'));
  site = await startSimulatedSite({
    devices: [
      { name: 'cam', vendor: 'axis', kind: 'camera', address: '127.0.0.61', httpPort: 0, auth },
      {
        name: 'nvr',
        vendor: 'hikvision',
        kind: 'nvr',
        address: '127.0.0.62',
        httpPort: 0,
        auth,
        channels: [{ token: 'VS1' }, { token: 'VS2' }],
      },
    ],
  });
});
afterAll(async () => {
  await site?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const SESSIONS: Array<[string, () => OpenSession]> = [
  ['onvif/ session', () => createOpenSession({ callTimeoutMs: 3000, maxResponseBytes: 2 * 1024 * 1024 })],
  ['raw SOAP adapter', () => createRawSoapOpenSession({ timeoutMs: 3000 })],
];
let openSession: () => OpenSession = () => createRawSoapOpenSession({ timeoutMs: 3000 });
let run = 0;

function enforcer(levers: typeof ALL, name: string) {
  return new Enforcer({
    config: enforceConfig({
      levers,
      nftables: { enabled: false, nftPath: 'nft', table: 'camwarden' },
      quarantineFootage: false,
    }),
    stateFile: join(dir, `${name}-${run}.json`),
    openSession: openSession(),
    credentialsFor: () => ({ username: auth.username, password: auth.password }),
    events: new CheckedEventSink(),
    audit: new MemoryAuditSink(),
  });
}
const dev = (name: string) => {
  const d = site.devices.find((x) => x.spec.name === name);
  if (!d) throw new Error(`no simulated ${name}`);
  return d;
};
const callsOf = (name: string) => site.calls.filter((c) => c.device === name || c.device === dev(name).endpoint);

describe.each(SESSIONS)('ONVIF levers against the simulator (%s)', (_label, factory) => {
  beforeAll(() => {
    openSession = factory;
    run++;
  });

  it('levers not enabled: not a single SOAP call', async () => {
    const cam = dev('cam');
    const before = site.calls.length;
    const record = camera('c1', cam.address, 'block', { vendorProfile: 'v', xaddr: cam.xaddr });
    await enforcer(NONE, 'none1').reconcile([record], profileSet({ vendors: [vendor('v', ALL)], levers: ALL }));
    await enforcer(ALL, 'none2').reconcile([record], profileSet({ vendors: [vendor('v', NONE)], levers: ALL }));
    await enforcer(ALL, 'none3').reconcile([record], profileSet({ vendors: [vendor('v', ALL)], levers: {} }));
    expect(site.calls.length).toBe(before);
  });

  it('camera: RTSP off and a full-frame mask, then both reverted', async () => {
    const cam = dev('cam');
    const e = enforcer(ALL, 'cam');
    const ps = profileSet({ vendors: [vendor('v', ALL)], levers: ALL });
    const record = camera('c1', cam.address, 'block', { vendorProfile: 'v', xaddr: cam.xaddr });
    const r = await e.reconcile([record], ps);
    expect(r.failed).toEqual([]);
    expect(cam.state.rtspEnabled).toBe(false);
    expect(cam.state.masks.length).toBeGreaterThan(0);
    const ops = callsOf('cam').map((c) => c.operation);
    expect(ops).toEqual(
      expect.arrayContaining([
        'GetNetworkProtocols',
        'SetNetworkProtocols',
        'GetVideoSourceConfigurations',
        'CreateMask',
      ]),
    );
    const set = callsOf('cam').find((c) => c.operation === 'SetNetworkProtocols')?.body ?? '';
    expect(set).toMatch(/<tt:Name>RTSP<\/tt:Name><tt:Enabled>false<\/tt:Enabled>/);
    expect(set).toMatch(/<tt:Name>HTTP<\/tt:Name><tt:Enabled>true<\/tt:Enabled>/);
    const mask = callsOf('cam').find((c) => c.operation === 'CreateMask')?.body ?? '';
    expect(mask).toContain('<tr2:Type>Color</tr2:Type><tr2:Enabled>true</tr2:Enabled>');
    expect(mask).toContain(
      '<tt:Point x="-1" y="-1"/><tt:Point x="1" y="-1"/><tt:Point x="1" y="1"/><tt:Point x="-1" y="1"/>',
    );
    expect(callsOf('cam').every((c) => c.user === undefined || c.user === auth.username)).toBe(true);

    await e.reconcile([{ ...record, decision: { action: 'allow', reasons: [] } }], ps);
    expect(cam.state.rtspEnabled).toBe(true);
    expect(cam.state.masks).toEqual([]);
    expect(callsOf('cam').map((c) => c.operation)).toContain('DeleteMask');
  });

  it('NVR channel: its recording jobs go Idle and come back; the other channel is untouched', async () => {
    const nvr = dev('nvr');
    const e = enforcer({ ...NONE, recordingJobIdle: true }, 'nvr');
    const ps = profileSet({ vendors: [vendor('v', ALL)], levers: ALL });
    const before = { ...nvr.state.recordingJobModes };
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(2);
    const rec = camera('n1', nvr.address, 'allow', { kind: 'recorder', vendorProfile: 'v', xaddr: nvr.xaddr });
    const ch1 = camera('n1:VS1', nvr.address, 'block', { parent: 'n1', channel: 'VS1', xaddr: nvr.xaddr });
    const r = await e.reconcile([rec, ch1], ps);
    expect(r.failed).toEqual([]);
    const after = nvr.state.recordingJobModes;
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(changed.length).toBeGreaterThanOrEqual(1);
    expect(changed.every((k) => after[k] === 'Idle')).toBe(true);
    expect(Object.values(after).some((m) => m !== 'Idle')).toBe(true);
    const set = callsOf('nvr').find((c) => c.operation === 'SetRecordingJobMode')?.body ?? '';
    expect(set).toContain('<trc:Mode>Idle</trc:Mode>');
    await e.reconcile([rec, { ...ch1, decision: { action: 'flag', reasons: [] } }], ps);
    expect(nvr.state.recordingJobModes).toEqual(before);
  });
});
