import { createHash } from 'node:crypto';
import type { FaultKind, SimChannelSpec, SimDeviceSpec, SimDeviceState, SimFault } from './index.js';
import { type Identity, type ServiceKey, STYLES, type StyleDefinition } from './vendor-styles.js';

export interface SimSource {
  /** Video source token (the NVR channel token). */
  token: string;
  index: number;
  vscToken: string;
  name: string;
  location: string;
  description: string;
  recordingToken: string | undefined;
  jobToken: string | undefined;
  /** Days of footage the recorder holds for this source (its earliest recording is that long ago). */
  recordedDays: number;
}

export interface SimMask {
  token: string;
  configurationToken: string;
  type: string;
  enabled: boolean;
  points: Array<{ x: number; y: number }>;
  color?: string;
}

/** Everything an operation handler reads or changes; built once per device from its spec. */
export interface DeviceModel {
  name: string;
  spec: SimDeviceSpec;
  style: StyleDefinition;
  kind: 'camera' | 'nvr';
  identity: Identity;
  mac: string;
  endpoint: string;
  address: string;
  httpPort: number;
  baseUrl: string;
  xaddr: string;
  sources: SimSource[];
  services: Array<{ key: ServiceKey; path: string }>;
  fixedScopes: string[];
  configurableScopes: string[];
  state: SimDeviceState & {
    httpEnabled: boolean;
    httpsEnabled: boolean;
    rtspPort: number;
    retention: Record<string, string>;
  };
  clockSkewMs: number;
  faults: SimFault[];
  nextMaskId: number;
}

const OUI: Record<StyleDefinition['style'], string> = {
  axis: 'b8:a4:4f',
  hikvision: 'bc:ad:28',
  dahua: '3c:ef:8c',
  bosch: '00:07:5f',
  milesight: '1c:c3:16',
  uniview: '48:ea:63',
  generic: '00:12:41',
};

/** Footage a simulated recorder holds unless the channel says otherwise: comfortably above a 30-day floor. */
const DEFAULT_RECORDED_DAYS = 60;

/** The device's own clock (the real one plus its skew). */
export function deviceNow(m: DeviceModel): number {
  return Date.now() + m.clockSkewMs;
}

/** Sources that record (every NVR channel; a camera of a vendor style with edge recording). */
export function recorded(m: DeviceModel) {
  return m.sources.filter(
    (s): s is typeof s & { recordingToken: string; jobToken: string } => s.recordingToken !== undefined,
  );
}

/** A stable uuid from a seed string (same spec → same EndpointReference across runs). */
export function stableUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export function faultOf(faults: SimFault[], kind: FaultKind): SimFault | undefined {
  return faults.find((f) => f.kind === kind);
}

/** True when a fault applies to this operation (no `operations`/`operation` list = every operation). */
export function faultApplies(fault: SimFault, operation: string): boolean {
  const list = fault.operations ?? fault.operation;
  if (list === undefined) return true;
  const ops = Array.isArray(list) ? list : [list];
  return ops.includes(operation);
}

function scopeCategory(scope: string): string | undefined {
  const m = /^onvif:\/\/www\.onvif\.org\/([^/]+)/i.exec(scope);
  return m?.[1]?.toLowerCase();
}

function fill(template: string, identity: Identity, mac: string): string {
  return template
    .replace('{hardware}', encodeURIComponent(identity.model))
    .replace('{name}', encodeURIComponent(`${identity.manufacturer} ${identity.model}`))
    .replace('{mac}', mac);
}

function macFor(style: StyleDefinition, address: string): string {
  const octets = address.split('.').map((o) => Number(o) & 0xff);
  const tail = octets.slice(1).map((o) => o.toString(16).padStart(2, '0'));
  return `${OUI[style.style]}:${tail.join(':')}`;
}

export function buildModel(spec: SimDeviceSpec): DeviceModel {
  const style = STYLES[spec.vendor];
  const kind = spec.kind ?? 'camera';
  const base = kind === 'nvr' ? style.nvr : style.camera;
  const identity: Identity = {
    manufacturer: spec.manufacturer ?? base.manufacturer,
    model: spec.model ?? base.model,
    firmware: spec.firmware ?? base.firmware,
    serial: spec.serial ?? base.serial,
    hardwareId: spec.hardwareId ?? base.hardwareId,
  };
  const httpPort = spec.httpPort ?? 80;
  const host = spec.address;
  const baseUrl = `http://${host}${httpPort === 80 ? '' : `:${httpPort}`}`;
  const name = spec.name ?? `${spec.vendor}${kind === 'nvr' ? '-nvr' : ''}-${spec.address}`;
  const uuid = stableUuid(`${spec.vendor}|${kind}|${spec.address}|${httpPort}|${identity.serial}`);
  const endpoint = spec.endpoint ?? (style.bareUuid ? `uuid:${uuid}` : `urn:uuid:${uuid}`);
  const mac = spec.mac ?? macFor(style, spec.address);

  const channelSpecs: SimChannelSpec[] =
    spec.channels ??
    (kind === 'nvr'
      ? [1, 2, 3, 4].map((n) => ({ token: style.nvrSourceToken(n), name: `Camera ${String(n).padStart(2, '0')}` }))
      : [{ token: style.cameraSourceToken }]);
  const hasRecording = kind === 'nvr' || style.cameraRecording;
  const retention: Record<string, string> = {};
  const recordingJobModes: Record<string, string> = {};
  const sources: SimSource[] = channelSpecs.map((ch, i) => {
    const recordingToken = hasRecording ? style.recordingToken(i + 1) : undefined;
    const jobToken = recordingToken ? `RecordingJob_${i + 1}` : undefined;
    if (recordingToken) retention[recordingToken] = ch.maximumRetentionTime ?? style.defaultRetention;
    if (jobToken) recordingJobModes[jobToken] = 'Active';
    return {
      token: ch.token,
      index: i,
      vscToken: `VideoSourceConfig_${i + 1}`,
      name: ch.name ?? (kind === 'nvr' ? `Camera ${i + 1}` : identity.model),
      location: ch.location ?? '',
      description: ch.description ?? '',
      recordingToken,
      jobToken,
      recordedDays: ch.recordedDays ?? DEFAULT_RECORDED_DAYS,
    };
  });

  const services: Array<{ key: ServiceKey; path: string }> = [{ key: 'device', path: '/onvif/device_service' }];
  const keys: ServiceKey[] = ['media', 'media2', 'events', 'imaging', 'deviceIO'];
  if (hasRecording) keys.push('recording', 'search', 'replay');
  for (const key of keys) services.push({ key, path: style.servicePaths[key] ?? `/onvif/${key}` });

  const fixed = style.scopes.fixed.map((s) => fill(s, identity, mac));
  const configurable = style.scopes.configurable.map((s) => fill(s, identity, mac));
  const overridden = new Set((spec.scopes ?? []).map(scopeCategory).filter((c): c is string => c !== undefined));
  const keep = (s: string): boolean => !overridden.has(scopeCategory(s) ?? '');
  const fixedScopes = fixed.filter(keep);
  const configurableScopes = [...configurable.filter(keep), ...(spec.scopes ?? [])];

  const faults = spec.faults ?? [];
  const skewFault = faultOf(faults, 'clock-skew');
  // Default skew of the clock-skew fault: the Bosch capture's device clock, about 2.5 years behind.
  const clockSkewMs =
    (spec.clockSkewMs ?? 0) + (skewFault ? Number(skewFault.ms ?? -(901 * 24 * 3600 * 1000)) || 0 : 0);

  return {
    name,
    spec,
    style,
    kind,
    identity,
    mac,
    endpoint,
    address: spec.address,
    httpPort,
    baseUrl,
    xaddr: `${baseUrl}/onvif/device_service`,
    sources,
    services,
    fixedScopes,
    configurableScopes,
    state: {
      rtspEnabled: true,
      masks: [],
      recordingJobModes,
      scopes: [...fixedScopes, ...configurableScopes],
      httpEnabled: true,
      httpsEnabled: false,
      rtspPort: 554,
      retention,
    },
    clockSkewMs,
    faults,
    nextMaskId: 1,
  };
}

export function serviceUrl(model: DeviceModel, key: ServiceKey): string | undefined {
  const s = model.services.find((x) => x.key === key);
  return s ? `${model.baseUrl}${s.path}` : undefined;
}
