/**
 * The data that flows one way through camwarden:
 *   DiscoveredDevice (discovery/) → DeviceReport (onvif/) → CameraRecord (inventory/) → Decision (policy/)
 *   → actions (enforce/, retention/) and reports (reporting/).
 * CameraRecord is internal; its published form (every field, null when unknown) is made by
 * reporting/camera-payload.ts and described in docs/mqtt.md.
 */

export type Action = 'allow' | 'flag' | 'block';

export interface Reason {
  code: string;
  rule: string;
  article: string;
  message: string;
}

export interface Decision {
  action: Action;
  reasons: Reason[];
}

export interface DeviceError {
  code: string;
  message: string;
}

export interface GeoPoint {
  lat: number;
  lon: number;
  elevation?: number;
}

/** A device seen by WS-Discovery (multicast, unicast probe, Hello) or named with `--device`. */
export interface DiscoveredDevice {
  /** EndpointReference Address verbatim, e.g. `urn:uuid:…` (empty for `--device` until interrogated). */
  endpoint: string;
  /** IPv4 the answer came from (the only host we will ever talk to for this device). */
  address: string;
  /** XAddrs whose host is `address`; foreign or link-local ones are dropped. */
  xaddrs: string[];
  scopes: string[];
  types: string[];
  metadataVersion?: string;
  via: 'multicast' | 'unicast' | 'hello' | 'manual';
  /** XAddrs that were refused (foreign host, link-local), for reporting. */
  refusedXaddrs?: string[];
  /** What was wrong with its discovery message but did not stop it being listed (e.g. scopes over the bounds). */
  errors?: DeviceError[];
}

export interface RecordingSourceInfo {
  recordingToken: string;
  sourceId: string;
  name: string;
  location: string;
  description: string;
  /** ISO-8601 duration verbatim, e.g. `PT1H`, `PT0S` (= unlimited). */
  maximumRetentionTime?: string;
  /** Start of the oldest footage the recorder holds for this recording (search service), ISO-8601. */
  earliestRecording?: string;
}

export interface VideoSourceInfo {
  token: string;
}

/** What a device says it is (GetDeviceInformation, GetNetworkInterfaces), verbatim from the XML. */
export interface DeviceIdentityFields {
  manufacturer?: string;
  model?: string;
  firmware?: string;
  serial?: string;
  hardwareId?: string;
  mac?: string;
}

/** What ONVIF interrogation learned about one device. Identity strings are verbatim from the XML. */
export interface DeviceReport extends DeviceIdentityFields {
  discovered: DiscoveredDevice;
  xaddr: string;
  /**
   * Scopes from GetScopes only. The scopes of a ProbeMatch or Hello are unauthenticated datagrams: they stay in
   * `discovered.scopes` and are never used for a decision.
   */
  scopes: string[];
  geo?: GeoPoint;
  /** Device clock minus our clock, in ms, from GetSystemDateAndTime. */
  clockSkewMs?: number;
  /** IPv6 addresses the device reports (GetNetworkInterfaces), canonical, at most 16. */
  ipv6?: string[];
  services: { media2?: string; recording?: string; search?: string; media?: string; replay?: string };
  videoSources: VideoSourceInfo[];
  recordings: RecordingSourceInfo[];
  /** Start of the oldest footage on the device (GetRecordingSummary DataFrom), ISO-8601. */
  earliestRecording?: string;
  isRecorder: boolean;
  /**
   * GetDeviceInformation answered over a session that carried our credentials: the identity strings were proved
   * to the extent ONVIF authentication proves anything (see docs/identity.md). Only such facts pin an identity.
   */
  authenticated: boolean;
  /**
   * The calls that tell where the device is (GetScopes; GetServices, which says what else there is; GetGeoLocation
   * and GetRecordings where advertised) whose answers were not read: failed, unreadable, cut short or out of time.
   * Absent when all were read. An authenticated answer that did not show the location cannot lift a block.
   */
  unreadLocation?: string[];
  errors: DeviceError[];
}

export interface CameraLocation {
  zone: string;
  source: 'scope' | 'profile' | 'geofence' | 'none';
  tags: string[];
  geo?: GeoPoint;
}

export interface CameraRecord extends DeviceIdentityFields {
  id: string;
  kind: 'camera' | 'recorder';
  endpoint: string;
  address: string;
  xaddr: string;
  /**
   * IPv6 addresses the device reports (GetNetworkInterfaces), canonical; isolation also learns them from the
   * neighbour table, and checks these against it (enforce/link-view.ts).
   */
  ipv6?: string[];
  scopes: string[];
  location: CameraLocation;
  decision: Decision;
  errors: DeviceError[];
  /** NVR channels only. */
  parent?: string;
  channel?: string;
  /** Recorder-reported retention (MaximumRetentionTime) for this channel or recorder. */
  maximumRetentionTime?: string;
  /**
   * Start of the oldest footage the recorder holds for this channel (or, for a recorder, at all), ISO-8601, from the
   * ONVIF search service: a ring buffer shorter than the legal floor shows here.
   */
  earliestRecording?: string;
  /** Matched vendor profile id, from profiles/. */
  vendorProfile?: string;
  /** Consecutive scans this camera did not answer; its last record is kept meanwhile (agent/carry-over.ts). */
  missedScans?: number;
  /** Art 7/9/33 system class from the site profile, when known. */
  systemClass?: string;
  /**
   * True when the device answered discovery but interrogation did not confirm its identity
   * (GetDeviceInformation failed): its decision must be `flag` with `unverified-device`.
   */
  unverified?: boolean;
  /**
   * True when this record's identity was proved over an authenticated session in the scan that produced it.
   * Only such a record can lift a block by itself (policy/hold-decisions.ts); a carried-over record never is.
   */
  authenticated?: boolean;
  /**
   * True when that interrogation did not read all that tells where the camera is (DeviceReport.unreadLocation, or
   * scopes dropped over the bounds): its decision rests on a location it did not see, so it cannot lift a block.
   */
  locationUnread?: boolean;
}

export interface ScanResult {
  site: string;
  gateway: string;
  scannedAt: string;
  policyRevision: string;
  cameras: CameraRecord[];
  errors: Array<{ source: string; code: string; message: string }>;
}
