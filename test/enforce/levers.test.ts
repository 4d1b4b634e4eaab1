import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Enforcer } from '../../src/enforce/enforcer.js';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import { CheckedEventSink, expectEventsMatchSchemas } from '../helpers/checked-event-sink.js';
import { type FakeDevice, startFakeDevice } from './fake-soap-device.js';
import { camera, enforceConfig, profileSet, vendor } from './fakes.js';
import { createRawSoapOpenSession } from './raw-soap-session.js';

afterEach(expectEventsMatchSchemas);

const ALL = { rtspOff: true, privacyMask: true, recordingJobIdle: true };
const NONE = { rtspOff: false, privacyMask: false, recordingJobIdle: false };
const noNft = { enabled: false, nftPath: 'nft', table: 'camwarden' };

let dir: string;
let device: FakeDevice;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-enf-lever-'));
  device = await startFakeDevice();
});
afterEach(async () => {
  await device.stop();
  await rm(dir, { recursive: true, force: true });
});

function enforcer(levers = ALL) {
  const events = new CheckedEventSink();
  const e = new Enforcer({
    config: enforceConfig({ levers, nftables: noNft, quarantineFootage: false }),
    stateFile: join(dir, 'enforcement-state.json'),
    openSession: createRawSoapOpenSession({ timeoutMs: 2000 }),
    credentialsFor: () => ({ username: 'admin', password: 'secret' }),
    events,
    audit: new MemoryAuditSink(),
  });
  return { e, events };
}
const ops = () => device.calls.map((c) => c.operation).filter((o) => o !== 'GetServices');

describe('ONVIF levers (SOAP over HTTP)', () => {
  it('camera: RTSP off keeping HTTP/HTTPS, full-frame masks on every source; both undone on unblock', async () => {
    const { e, events } = enforcer();
    const ps = profileSet({ vendors: [vendor('v', ALL)], levers: ALL });
    const cam = camera('c1', '10.0.0.2', 'block', { vendorProfile: 'v', xaddr: device.xaddr });
    const r = await e.reconcile([cam], ps);
    expect(r.failed).toEqual([]);
    expect(ops()).toEqual([
      'GetNetworkProtocols',
      'SetNetworkProtocols',
      'GetVideoSourceConfigurations',
      'CreateMask',
      'CreateMask',
    ]);
    const set = device.calls.find((c) => c.operation === 'SetNetworkProtocols')?.body ?? '';
    expect(set).toContain('<tt:Name>HTTP</tt:Name><tt:Enabled>true</tt:Enabled><tt:Port>80</tt:Port>');
    expect(set).toContain('<tt:Name>HTTPS</tt:Name><tt:Enabled>false</tt:Enabled><tt:Port>443</tt:Port>');
    expect(set).toContain('<tt:Name>RTSP</tt:Name><tt:Enabled>false</tt:Enabled><tt:Port>554</tt:Port>');
    expect(device.state.protocols.find((p) => p.name === 'RTSP')?.enabled).toBe(false);
    const create = device.calls.find((c) => c.operation === 'CreateMask')?.body ?? '';
    expect(create).toContain('<tr2:ConfigurationToken>VSC1</tr2:ConfigurationToken>');
    expect(create).toContain(
      '<tr2:Polygon><tt:Point x="-1" y="-1"/><tt:Point x="1" y="-1"/><tt:Point x="1" y="1"/><tt:Point x="-1" y="1"/></tr2:Polygon>',
    );
    expect(create).toContain('<tr2:Type>Color</tr2:Type><tr2:Enabled>true</tr2:Enabled>');
    expect(device.state.masks.map((m) => m.configurationToken)).toEqual(['VSC1', 'VSC2']);
    // Media2 calls go to the media2 XAddr from GetServices, pinned to the device's own host.
    expect(device.calls.find((c) => c.operation === 'CreateMask')?.path).toBe('/onvif/media2');
    const state = JSON.parse(await readFile(join(dir, 'enforcement-state.json'), 'utf8'));
    expect(state.actions['rtsp-off:c1'].prior).toEqual({ rtsp: { enabled: true, ports: [554] } });
    expect(state.actions['privacy-mask:c1'].prior.masks.map((m: { maskToken: string }) => m.maskToken)).toEqual([
      'mask1',
      'mask2',
    ]);
    expect(events.ofType('enforcement.applied')).toHaveLength(2);

    device.calls.length = 0;
    await e.reconcile([{ ...cam, decision: { action: 'allow', reasons: [] } }], ps);
    expect(ops().sort()).toEqual(['DeleteMask', 'DeleteMask', 'GetNetworkProtocols', 'SetNetworkProtocols']);
    expect(device.state.protocols.find((p) => p.name === 'RTSP')).toEqual({
      name: 'RTSP',
      enabled: true,
      ports: [554],
    });
    expect(device.state.masks).toEqual([]);
    expect(events.ofType('enforcement.reverted')).toHaveLength(2);
  });

  it('NVR channel: only that channel’s recording jobs go Idle, masks only on its source; modes restored', async () => {
    const { e } = enforcer();
    const ps = profileSet({ vendors: [vendor('nvr', ALL)], levers: ALL });
    const nvr = camera('n1', '10.0.0.50', 'allow', { kind: 'recorder', vendorProfile: 'nvr', xaddr: device.xaddr });
    const ch = camera('n1:VS2', '10.0.0.50', 'block', { parent: 'n1', channel: 'VS2', xaddr: device.xaddr });
    await e.reconcile([nvr, ch], ps);
    expect(device.state.jobs.map((j) => j.mode)).toEqual(['Active', 'Idle']);
    expect(device.calls.find((c) => c.operation === 'SetRecordingJobMode')?.body).toContain(
      '<trc:JobToken>job2</trc:JobToken><trc:Mode>Idle</trc:Mode>',
    );
    expect(device.state.masks.map((m) => m.configurationToken)).toEqual(['VSC2']);
    expect(ops()).not.toContain('SetNetworkProtocols');
    await e.reconcile([nvr, { ...ch, decision: { action: 'flag', reasons: [] } }], ps);
    expect(device.state.jobs.map((j) => j.mode)).toEqual(['Active', 'Active']);
    expect(device.state.masks).toEqual([]);
  });

  it('recorder unblocked while one channel stays blocked: that channel’s job stays Idle', async () => {
    const { e } = enforcer({ ...NONE, recordingJobIdle: true });
    const ps = profileSet({ vendors: [vendor('nvr', ALL)], levers: ALL });
    const nvr = camera('n1', '10.0.0.50', 'block', { kind: 'recorder', vendorProfile: 'nvr', xaddr: device.xaddr });
    const ch = camera('n1:VS2', '10.0.0.50', 'block', { parent: 'n1', channel: 'VS2', xaddr: device.xaddr });
    await e.reconcile([nvr, ch], ps);
    expect(device.state.jobs.map((j) => j.mode)).toEqual(['Idle', 'Idle']);
    await e.reconcile([{ ...nvr, decision: { action: 'flag', reasons: [] } }, ch], ps);
    expect(device.state.jobs.map((j) => j.mode)).toEqual(['Active', 'Idle']);
    await e.reconcile(
      [
        { ...nvr, decision: { action: 'flag', reasons: [] } },
        { ...ch, decision: { action: 'allow', reasons: [] } },
      ],
      ps,
    );
    expect(device.state.jobs.map((j) => j.mode)).toEqual(['Active', 'Active']);
  });

  it('levers not enabled (config, site or vendor): no SOAP call at all', async () => {
    const cam = camera('c1', '10.0.0.2', 'block', { vendorProfile: 'v', xaddr: device.xaddr });
    await enforcer(NONE).e.reconcile([cam], profileSet({ vendors: [vendor('v', ALL)], levers: ALL }));
    await enforcer(ALL).e.reconcile([cam], profileSet({ vendors: [vendor('v', ALL)], levers: {} }));
    await enforcer(ALL).e.reconcile([cam], profileSet({ vendors: [vendor('v', NONE)], levers: ALL }));
    expect(device.calls).toEqual([]);
  });

  it('a change whose answer was lost is retried with the prior saved before it, so unblock restores the original', async () => {
    const { e } = enforcer({ ...NONE, rtspOff: true, recordingJobIdle: true });
    const ps = profileSet({ vendors: [vendor('v', ALL)], levers: ALL });
    const nvr = camera('n1', '10.0.0.50', 'block', { kind: 'recorder', vendorProfile: 'v', xaddr: device.xaddr });
    device.loseResponse.add('SetNetworkProtocols');
    device.loseResponse.add('SetRecordingJobMode');
    const first = await e.reconcile([nvr], ps);
    expect(first.failed.map((f) => f.key).sort()).toEqual(['recording-job-idle:n1', 'rtsp-off:n1']);
    // The device did change before the answer got lost.
    expect(device.state.protocols.find((p) => p.name === 'RTSP')?.enabled).toBe(false);
    expect(device.state.jobs[0]?.mode).toBe('Idle');
    const state = JSON.parse(await readFile(join(dir, 'enforcement-state.json'), 'utf8'));
    expect(state.actions['rtsp-off:n1']).toMatchObject({
      pending: true,
      prior: { rtsp: { enabled: true, ports: [554] } },
    });
    // A new process (restart) retries: the saved prior wins over what the device shows now.
    const { e: restarted } = enforcer({ ...NONE, rtspOff: true, recordingJobIdle: true });
    const again = await restarted.reconcile([nvr], ps);
    expect(again.applied.sort()).toEqual(['recording-job-idle:n1', 'rtsp-off:n1']);
    await restarted.reconcile([{ ...nvr, decision: { action: 'allow', reasons: [] } }], ps);
    expect(device.state.protocols.find((p) => p.name === 'RTSP')?.enabled).toBe(true);
    expect(device.state.jobs.map((j) => j.mode)).toEqual(['Active', 'Active']);
  });

  it('a lever that fails is reported and retried, the others still act', async () => {
    const { e, events } = enforcer();
    device.state.protocols = device.state.protocols.filter((p) => p.name !== 'RTSP');
    const cam = camera('c1', '10.0.0.2', 'block', { vendorProfile: 'v', xaddr: device.xaddr });
    const r = await e.reconcile([cam], profileSet({ vendors: [vendor('v', ALL)], levers: ALL }));
    expect(r.failed).toMatchObject([{ key: 'rtsp-off:c1', code: 'not-supported' }]);
    expect(r.applied).toEqual(['privacy-mask:c1']);
    expect(events.ofType('enforcement.failed')[0]).toMatchObject({ key: 'rtsp-off:c1', attempt: 1 });
  });
});
