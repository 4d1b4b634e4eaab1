import type { CameraRecord } from '../model/camera-records.js';
import type { ProfileSet, VendorLevers } from '../profiles/types.js';
import { unsafeIsolationReason } from './ipv4.js';
import { unsafeIpv6Reason } from './ipv6.js';
import type { ActionSpec, DesiredState } from './types.js';

export interface DesiredOptions {
  /** config `enforce.levers`: the operator's switch; the site profile and the vendor profile must agree too. */
  levers: VendorLevers;
  /** config `enforce.nftables.enabled`. */
  nftables: boolean;
  /** config `enforce.quarantineFootage` and a FootageQuarantine injected. */
  quarantine: boolean;
  /** The gateway's own addresses: never isolated (that would cut the gateway off, not the camera). */
  gatewayAddresses?: readonly string[];
  /** The IPv6 addresses to isolate with a blocked camera (enforce/link-view.ts); none when absent. */
  ipv6Of?: (record: CameraRecord) => readonly string[];
}

/**
 * The actions the `block` decisions require.
 *
 * NVR channels share the recorder's address, so isolating the address for one blocked channel would also cut
 * off every other channel (and the recorder) — the gateway must keep forwarding what is not blocked
 * (docs/enforcement.md, The actions). A blocked channel therefore gets only per-channel levers (recording job Idle, privacy mask
 * on its video source), the recorder hook and quarantine; the address is isolated only when the camera itself
 * (no `parent`) or the recorder record is blocked. RTSP off is device-wide, so it is never used for a channel.
 */
export function computeDesired(
  records: readonly CameraRecord[],
  profiles: ProfileSet | undefined,
  opts: DesiredOptions,
): DesiredState {
  const byId = new Map(records.map((r) => [r.id, r]));
  const actions = new Map<string, ActionSpec>();
  const skipped: DesiredState['skipped'] = [];
  const add = (spec: ActionSpec): void => {
    const existing = actions.get(spec.key);
    if (existing) {
      for (const c of spec.cameras) if (!existing.cameras.includes(c)) existing.cameras.push(c);
    } else actions.set(spec.key, spec);
  };
  const stopHook = profiles?.site.recorderHooks.stop;
  const startHook = profiles?.site.recorderHooks.start;

  for (const r of records) {
    if (r.decision.action !== 'block') continue;
    const parent = r.parent !== undefined ? byId.get(r.parent) : undefined;
    const isChannel = r.parent !== undefined;
    const vendorId = r.vendorProfile ?? parent?.vendorProfile;
    const vendor = vendorId !== undefined ? profiles?.vendors.find((v) => v.id === vendorId) : undefined;
    const lever = (name: keyof VendorLevers): boolean =>
      opts.levers[name] && profiles?.site.levers[name] === true && vendor?.levers[name] === true;
    const xaddr = r.xaddr || parent?.xaddr || '';
    const base = { cameras: [r.id], cameraId: r.id };

    if (!isChannel && opts.nftables) {
      const unsafe =
        unsafeIsolationReason(r.address) ??
        (opts.gatewayAddresses?.includes(r.address) ? `address ${r.address} belongs to the gateway itself` : undefined);
      if (unsafe) skipped.push({ cameraId: r.id, action: 'isolate', reason: unsafe });
      else add({ key: `isolate:${r.address}`, kind: 'isolate', cameras: [r.id], address: r.address });
      // The camera's IPv6 addresses go with it: otherwise its IPv6 traffic would still be forwarded.
      for (const a of opts.ipv6Of?.(r) ?? []) {
        const unsafe6 =
          unsafeIpv6Reason(a) ??
          (opts.gatewayAddresses?.includes(a) ? `address ${a} belongs to the gateway itself` : undefined);
        if (unsafe6) skipped.push({ cameraId: r.id, action: 'isolate', reason: unsafe6 });
        else add({ key: `isolate:${a}`, kind: 'isolate', cameras: [r.id], address: a });
      }
    }
    if (xaddr) {
      if (!isChannel && lever('rtspOff')) add({ key: `rtsp-off:${r.id}`, kind: 'rtsp-off', ...base, xaddr });
      if (lever('privacyMask')) {
        add({
          key: `privacy-mask:${r.id}`,
          kind: 'privacy-mask',
          ...base,
          xaddr,
          ...(isChannel && r.channel ? { channel: r.channel } : {}),
        });
      }
      if ((isChannel || r.kind === 'recorder') && lever('recordingJobIdle')) {
        add({
          key: `recording-job-idle:${r.id}`,
          kind: 'recording-job-idle',
          ...base,
          xaddr,
          ...(isChannel && r.channel ? { channel: r.channel } : {}),
        });
      }
    }
    if (stopHook) {
      add({
        key: `recorder-hook:${r.id}`,
        kind: 'recorder-hook',
        ...base,
        address: r.address,
        hook: { stop: stopHook, ...(startHook ? { start: startHook } : {}) },
      });
    }
    if (opts.quarantine) add({ key: `quarantine:${r.id}`, kind: 'quarantine', ...base });
  }
  // A blocked recorder idles all its jobs; a channel lever on the same jobs would record "Idle" as its prior and
  // the recorder's undo would restart a channel that is still blocked. The recorder's action covers them.
  for (const [key, spec] of actions) {
    const parent = spec.cameraId !== undefined ? byId.get(spec.cameraId)?.parent : undefined;
    if (spec.kind === 'recording-job-idle' && parent !== undefined && actions.has(`recording-job-idle:${parent}`)) {
      actions.delete(key);
    }
  }
  return { actions: [...actions.values()], cameras: records.map((r) => r.id), skipped };
}
