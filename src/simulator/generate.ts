import { isIPv4 } from 'node:net';
import { stableUuid } from './device-model.js';
import type { FaultKind, SimDeviceSpec, SimSiteSpec, VendorStyle } from './index.js';
import { SimSpecError } from './spec-schema.js';
import { STYLES, VENDOR_STYLES } from './vendor-styles.js';

export interface GenerateSiteOptions {
  /** First address, e.g. '127.50.0.10'; devices take consecutive addresses from it. */
  base: string;
  /** Honest cameras. */
  count: number;
  seed?: number;
  /** Recorders appended after the cameras, 4 channels each. */
  nvrs?: number;
  /** One hostile device per entry, appended last, named `hostile-<kind>`. */
  hostile?: FaultKind[];
  auth?: SimDeviceSpec['auth'];
  /** Zone ids (or full scope URIs) drawn at random for the cameras' and channels' location; none = factory scopes. */
  zones?: string[];
  /** Vendor styles to rotate over (default: all seven). */
  vendors?: VendorStyle[];
  httpPort?: number;
  /** Every device takes this long for each answer (SimDeviceSpec.answerDelayMs). */
  answerDelayMs?: number;
}

/** Deterministic PRNG (mulberry32), so the same seed always yields the same site. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ipv4Add(base: string, n: number): string {
  if (!isIPv4(base)) throw new SimSpecError(`base: ${JSON.stringify(base)} is not an IPv4 address`);
  const value = base.split('.').reduce((acc, o) => acc * 256 + Number(o), 0) + n;
  if (value > 0xffffffff) throw new SimSpecError(`base: ${base} + ${n} overflows IPv4`);
  return [24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256).join('.');
}

function digits(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 10).toString();
  return s;
}

function alnum(rand: () => number, n: number, alphabet = '0123456789ABCDEFGHJKLMNPRSTUVWXYZ'): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

function zoneScope(zone: string): string {
  return zone.includes('://') ? zone : `onvif://www.onvif.org/location/zone/${zone}`;
}

/** Identity strings in each vendor's own format; numeric-looking ones stay strings (Bosch 18 digits, `0727`). */
function identityFor(vendor: VendorStyle, rand: () => number, i: number, address: string): Partial<SimDeviceSpec> {
  switch (vendor) {
    case 'axis': {
      const tail = address
        .split('.')
        .slice(1)
        .map((o) => Number(o).toString(16).padStart(2, '0'))
        .join('')
        .toUpperCase();
      return {
        serial: `B8A44F${tail}`,
        hardwareId: i % 2 === 0 ? '727' : '0727',
        mac: `b8:a4:4f:${tail.match(/../g)?.join(':').toLowerCase()}`,
      };
    }
    case 'hikvision':
      return { serial: `ENP1A14-IR/25X2019${digits(rand, 4)}AAWRD${digits(rand, 8)}W`, hardwareId: '88' };
    case 'dahua':
      return { serial: alnum(rand, 15) };
    case 'bosch':
      return { serial: `4047547340${digits(rand, 8)}`, hardwareId: 'F000B543' };
    case 'milesight':
      return { serial: `EM82V1023290${digits(rand, 5)}` };
    case 'uniview':
      return { serial: `210235T8HQ${digits(rand, 10)}` };
    default:
      return {
        serial: `I2072${alnum(rand, 18, '0123456789ABCDEF')}`,
        hardwareId: stableUuid(`hw${i}${address}`).toUpperCase(),
      };
  }
}

/** Deterministic mixed site: count honest cameras over the vendor styles, then NVRs, then hostile devices. */
export function generateSite(opts: GenerateSiteOptions): SimSiteSpec {
  const rand = prng(opts.seed ?? 1);
  const vendors = opts.vendors?.length ? opts.vendors : VENDOR_STYLES;
  const zones = opts.zones ?? [];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const common = (address: string): Partial<SimDeviceSpec> => ({
    ...(opts.auth ? { auth: opts.auth } : {}),
    ...(opts.httpPort !== undefined ? { httpPort: opts.httpPort } : {}),
    ...(opts.answerDelayMs ? { answerDelayMs: opts.answerDelayMs } : {}),
    endpoint: `urn:uuid:${stableUuid(`${opts.seed ?? 1}|${address}`)}`,
  });
  const devices: SimDeviceSpec[] = [];
  let n = 0;
  for (let i = 0; i < opts.count; i++, n++) {
    const vendor = vendors[i % vendors.length] as VendorStyle;
    const address = ipv4Add(opts.base, n);
    const base = common(address);
    if (vendor === 'dahua' && base.endpoint) base.endpoint = base.endpoint.replace(/^urn:/, '');
    devices.push({
      name: `cam-${String(i + 1).padStart(3, '0')}-${vendor}`,
      vendor,
      kind: 'camera',
      address,
      ...base,
      ...identityFor(vendor, rand, i, address),
      ...(zones.length > 0 ? { scopes: [zoneScope(pick(zones))] } : {}),
    });
  }
  const nvrVendors: VendorStyle[] = vendors.filter((v) => v === 'hikvision' || v === 'dahua');
  for (let j = 0; j < (opts.nvrs ?? 0); j++, n++) {
    const vendor = (nvrVendors.length ? nvrVendors[j % nvrVendors.length] : vendors[j % vendors.length]) as VendorStyle;
    const address = ipv4Add(opts.base, n);
    const style = STYLES[vendor];
    devices.push({
      name: `nvr-${String(j + 1).padStart(2, '0')}-${vendor}`,
      vendor,
      kind: 'nvr',
      address,
      ...common(address),
      serial: `${style.nvr.serial.slice(0, -6)}${digits(rand, 6)}`,
      channels: [1, 2, 3, 4].map((c) => ({
        token: style.nvrSourceToken(c),
        name: `Channel ${c}`,
        location: zones.length > 0 ? pick(zones) : '',
        maximumRetentionTime: 'P30D',
      })),
    });
  }
  (opts.hostile ?? []).forEach((kind, k) => {
    const vendor = vendors[k % vendors.length] as VendorStyle;
    const address = ipv4Add(opts.base, n);
    n++;
    devices.push({
      name: `hostile-${kind}`,
      vendor,
      kind: 'camera',
      address,
      ...common(address),
      faults: [kind === 'soap-fault-on' ? { kind, operation: 'GetDeviceInformation' } : { kind }],
    });
  });
  return { devices };
}

const zone = (id: string): string => `onvif://www.onvif.org/location/zone/${id}`;
const loc = (text: string): string => `onvif://www.onvif.org/location/${encodeURIComponent(text)}`;

/**
 * The demo site of issue 7: 13 cameras of all seven styles in allowed, prohibited (toilet, changing room,
 * 更衣室 percent-encoded, hotel room), consent-required (near a military zone, a state organ) and unknown
 * (factory placeholder) zones, a prohibited term qualified as outside it (厕所门口), and one Hikvision NVR
 * with four channels whose recording sources name their location.
 */
export function demoSite(base: string, opts: { auth?: SimDeviceSpec['auth']; httpPort?: number } = {}): SimSiteSpec {
  const extra = {
    ...(opts.auth ? { auth: opts.auth } : {}),
    ...(opts.httpPort !== undefined ? { httpPort: opts.httpPort } : {}),
  };
  const cams: Array<Omit<SimDeviceSpec, 'address'>> = [
    { name: 'lobby', vendor: 'axis', scopes: [zone('crowded-place')], geo: { lat: 31.2304, lon: 121.4737 } },
    { name: 'main-entrance', vendor: 'hikvision', scopes: [zone('public-other')] },
    { name: 'car-park', vendor: 'dahua', scopes: [zone('public-infrastructure')] },
    { name: 'loading-dock', vendor: 'bosch', scopes: [loc('loading dock'), zone('private-non-public')] },
    { name: 'toilet-2f', vendor: 'milesight', scopes: [zone('toilet')] },
    { name: 'changing-room', vendor: 'uniview', scopes: [loc('更衣室')] },
    { name: 'hotel-room-101', vendor: 'generic', scopes: [zone('hotel-room')] },
    { name: 'toilet-entrance', vendor: 'hikvision', scopes: [loc('厕所门口')] },
    { name: 'perimeter-east', vendor: 'axis', scopes: [zone('military-restricted-adjacent')] },
    { name: 'gate-west', vendor: 'bosch', scopes: [zone('state-organ-adjacent')] },
    { name: 'factory-dahua', vendor: 'dahua' },
    { name: 'factory-hikvision', vendor: 'hikvision' },
    { name: 'factory-milesight', vendor: 'milesight' },
  ];
  const devices: SimDeviceSpec[] = cams.map((c, i) => ({ ...c, kind: 'camera', address: ipv4Add(base, i), ...extra }));
  devices.push({
    name: 'nvr',
    vendor: 'hikvision',
    kind: 'nvr',
    address: ipv4Add(base, cams.length),
    ...extra,
    channels: [
      { token: 'VideoSource_1', name: 'Lobby', location: 'lobby', maximumRetentionTime: 'P30D' },
      { token: 'VideoSource_2', name: 'Staff changing room', location: '更衣室', maximumRetentionTime: 'P30D' },
      {
        token: 'VideoSource_3',
        name: 'Corridor',
        location: 'corridor',
        description: 'Corridor outside the staff dormitory',
      },
      { token: 'VideoSource_4', name: 'Dormitory', location: 'staff dormitory', maximumRetentionTime: 'P90D' },
    ],
  });
  return { devices };
}
