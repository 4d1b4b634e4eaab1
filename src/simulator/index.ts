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
  | 'single-service';

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
}

export interface SimAuthSpec {
  mode: 'none' | 'ws-security' | 'digest-only' | 'both';
  username: string;
  password: string;
}

export interface SimDeviceSpec {
  name?: string;
  vendor: VendorStyle;
  kind?: 'camera' | 'nvr';
  address: string;
  httpPort?: number;
  /** urn:uuid:… */
  endpoint?: string;
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
}

export interface SimSiteSpec {
  devices: SimDeviceSpec[];
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
  endpoint: string;
  address: string;
  xaddr: string;
  state: SimDeviceState;
}

export interface SimulatedSite {
  devices: RunningSimDevice[];
  calls: RecordedCall[];
  stop(): Promise<void>;
}

export { startSimulatedSite } from './site.js';
export { demoSite, generateSite } from './generate.js';
