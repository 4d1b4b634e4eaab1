/**
 * ONVIF device simulator: real SOAP 1.2 over HTTP and WS-Discovery over UDP, vendor styles from real captures,
 * fault injection. Used by tests, `camwarden simulate` and `camwarden demo`.
 * Depends on nothing in camwarden except util/.
 */
export type VendorStyle = 'axis' | 'hikvision' | 'dahua' | 'bosch' | 'milesight' | 'uniview' | 'generic';
export type FaultKind =
  | 'hang'
  | 'huge-body'
  | 'entity-bomb'
  | 'invalid-xml'
  | 'spoof-relates-to'
  | 'foreign-xaddr'
  | 'digest-only'
  | 'clock-skew'
  | 'non-onvif'
  | 'slow'
  | 'soap-fault-on'
  | 'oversized-datagram'
  | 'single-service'
  /** NVR whose first video source has no profile (onvif package issue #369: connect never calls back). */
  | 'token-mismatch'
  /** Responses stuffed with `xmlns` tokens: quadratic for the onvif package's own xmlns-stripping regex. */
  | 'regex-bomb'
  /** GetScopes (and optionally discovery) lists a flood of scopes, or very long ones, before the real ones. */
  | 'scope-flood';

/**
 * A fault and its parameters:
 * - hang | huge-body | entity-bomb | invalid-xml | slow: `operations?: string[]` (default every operation);
 *   huge-body `bytes` (30 MiB); invalid-xml `variant` 'mismatched' | 'truncated' | 'not-xml'; slow `ms` (1000).
 * - soap-fault-on: `operation` or `operations`, `code` 'Sender' | 'Receiver', `subcode` (ter:Action), `reason`.
 * - foreign-xaddr: `host` (127.254.254.254) or a full `xaddr`.
 * - digest-only: `username`/`password` (else the spec's auth, else admin/admin).
 * - clock-skew: `ms` (default about -2.5 years, like the Bosch capture).
 * - non-onvif: `device` 'printer' | 'nas'.
 * - oversized-datagram: `bytes` (65,507, the largest IPv4 UDP payload; 64 KiB cannot be sent over IPv4).
 * - spoof-relates-to: `relatesTo` 'random' (a message nobody sent; default) | 'none' (no RelatesTo) | 'empty'.
 * - regex-bomb: `operations?`, `bytes` (1.9 MiB: just inside the default 2 MiB response cap), `variant` 'text'
 *   (xmlns tokens as element text; default) | 'attribute' (in one attribute value) | 'elements'
 *   (one empty element per token, dense for any parser). Well-formed XML.
 * - scope-flood: `count` (40,000) scopes of `length` characters (48; 65,536 makes a 64 KiB scope), listed by
 *   GetScopes before the device's real scopes; `inDiscovery: true` also stuffs ProbeMatch/Hello with ~40 KB of them.
 */
export interface SimFault {
  kind: FaultKind;
  [k: string]: unknown;
}

export interface SimChannelSpec {
  token: string;
  name?: string;
  location?: string;
  description?: string;
  maximumRetentionTime?: string;
  /** Days of footage the recorder holds (its earliest recording is that long ago); default 60. A short ring buffer. */
  recordedDays?: number;
}

export interface SimAuthSpec {
  mode: 'none' | 'ws-security' | 'digest-only' | 'both';
  username: string;
  password: string;
  /** WS-UsernameToken Created must be within this of the device's (skewed) clock; -1 = not checked. Default 5 min. */
  createdToleranceMs?: number;
}

export interface SimDeviceSpec {
  name?: string;
  vendor: VendorStyle;
  kind?: 'camera' | 'nvr';
  address: string;
  httpPort?: number;
  /** urn:uuid:… (any text: hostile devices use odd ones) */
  endpoint?: string;
  /** An impostor: uses the EndpointReference of the device of this `name`, with its own serial, MAC and scopes. */
  impersonate?: string;
  manufacturer?: string;
  model?: string;
  firmware?: string;
  serial?: string;
  hardwareId?: string;
  mac?: string;
  /** Extra/override scopes, e.g. onvif://www.onvif.org/location/zone/toilet */
  scopes?: string[];
  geo?: { lat: number; lon: number };
  auth?: SimAuthSpec;
  clockSkewMs?: number;
  channels?: SimChannelSpec[];
  faults?: SimFault[];
  /** Join 239.255.255.250 on this local IPv4 (netns tests); also sends Hello on start and Bye on stop. */
  multicastInterface?: string;
  /** Unicast Hello/Bye also to these `host[:port]` targets (loopback tests of Hello listeners). */
  announceTo?: string[];
  /** WS-Discovery UDP port (3702). */
  discoveryPort?: number;
  /** Upper bound of the random delay before answering a multicast probe (100 ms; the spec allows 500). */
  multicastReplyDelayMs?: number;
  /**
   * Time the device takes for every answer, SOAP and ProbeMatch (default 0): real cameras take tens of milliseconds,
   * which decides how a scan should pace itself (docs/scan-json.md). Not a fault: the device is honest, only slow.
   */
  answerDelayMs?: number;
  /** IPv6 addresses GetNetworkInterfaces reports (verbatim: a hostile device may list anything). */
  ipv6?: string[];
  /**
   * The same device (EndpointReference, identity, scopes) also answers on these IPv4 addresses, each with its own
   * HTTP server and WS-Discovery responder: a host with several addresses. Each runs as a device of the site.
   */
  extraAddresses?: string[];
}

export interface SimSiteSpec {
  devices: SimDeviceSpec[];
  /** Oldest recorded calls are dropped beyond this (default 20,000), so a long-running simulator stays small. */
  maxRecordedCalls?: number;
}

export interface RecordedCall {
  device: string;
  operation: string;
  body: string;
  user?: string;
  at: number;
}

export interface SimDeviceState {
  rtspEnabled: boolean;
  masks: unknown[];
  recordingJobModes: Record<string, string>;
  scopes: string[];
}

export interface RunningSimDevice {
  spec: SimDeviceSpec;
  /** spec.name, or `<vendor>[-nvr]-<address>`; RecordedCall.device carries it. */
  name: string;
  endpoint: string;
  address: string;
  xaddr: string;
  /** Live state: mutating SOAP calls change it in place. */
  state: SimDeviceState;
  stats: { probes: number; httpRequests: number };
  /** The owner changes the device's password: from now on the old credentials get NotAuthorized / 401. */
  setPassword(password: string): void;
}

export interface SimulatedSite {
  devices: RunningSimDevice[];
  calls: RecordedCall[];
  stop(): Promise<void>;
}

export type { GenerateSiteOptions } from './generate.js';
export { demoSite, generateSite } from './generate.js';
export { floodHellos } from './hello-flood.js';
export { startSimulatedSite } from './site.js';
export { parseSiteSpec, SimSpecError } from './spec-schema.js';
export { VENDOR_STYLES } from './vendor-styles.js';
