/**
 * Resolved device-profile data as the rest of camwarden consumes it. profiles/ loads, validates (zod) and
 * produces a ProfileSet; policy/, enforce/ and retention/ read it and never parse YAML themselves.
 * Fields may be added; existing ones are a contract between modules.
 */
import type { GeoPoint } from '../model/camera-records.js';
import type { RecordingLayout } from '../retention/layout-schema.js';
import type { LegalHold, RetentionPolicy } from '../retention/rules.js';
import type { PolicyPack } from './pack-schema.js';

export type { LegalHold, RecordingLayout, RetentionPolicy };

export type SystemClass = 'art7-gov' | 'art7-operator' | 'art9-other-public' | 'art33-non-public';

export interface VendorLevers {
  /** tds:SetNetworkProtocols can switch RTSP off on this vendor. */
  rtspOff: boolean;
  /** Media2 CreateMask with a full-frame polygon blanks the video. */
  privacyMask: boolean;
  /** trc:SetRecordingJobMode Idle stops recording (NVRs). */
  recordingJobIdle: boolean;
}

export interface VendorProfile {
  id: string;
  file: string;
  priority: number;
  description: string;
  match: { manufacturer?: string; model?: string; firmware?: string; hardwareId?: string };
  quirks: {
    /** Location scope paths (after `location/`) that are factory placeholders, lower-case, without edge slashes. */
    placeholderLocations: string[];
    digestOnly: boolean;
    brokenMedia2: boolean;
    utcIsLocalTime: boolean;
  };
  levers: VendorLevers;
}

/** A recorder hook stops or restarts local recording of one camera (site profile data). */
export interface RecorderHook {
  kind: 'command' | 'http';
  /** argv; `{camera}`, `{address}`, `{action}` are substituted. Never run through a shell. */
  command?: string[];
  url?: string;
  method?: 'POST' | 'PUT' | 'GET';
  timeoutMs: number;
}

export interface CameraAssignment {
  /** Matches by any of these (endpoint UUID, serial, MAC, IP, camera id). */
  match: { endpoint?: string; serial?: string; mac?: string; address?: string; id?: string };
  zone?: string;
  systemClass?: SystemClass;
  geo?: GeoPoint;
  overlays: string[];
  /** Retention days for this camera (raised to the legal floor if below it). */
  retentionDays?: number;
  /** Directory name of this camera in the recordings tree, when it differs from the camera id. */
  recordingName?: string;
  name?: string;
}

/** The kind of unit whose consent Art 10 requires: military (restricted and management zones), state organ, confidential unit. */
export type ConsentUnitKind = 'military' | 'state-organ' | 'confidential-unit';

export interface ConsentRecord {
  id: string;
  issuingUnit: string;
  /** Kind of the issuing unit: the consent clears only the Art 10 flags of that kind. Absent (legacy records): none. */
  unitKind?: ConsentUnitKind;
  /** The geofence the consent is about: it clears that fence's flag, and then no other. */
  geofence?: string;
  date: string;
  expires?: string;
  /** Camera ids / endpoints / serials covered, each named (no wildcard). */
  cameras: string[];
}

export interface FilingRecord {
  number: string;
  date: string;
  goLiveDate: string;
  /** Cameras covered; empty = the whole site. */
  cameras: string[];
}

export interface SignageRecord {
  id: string;
  cameras: string[];
  evidence?: string;
}

export interface Geofence {
  id: string;
  kind: 'military-restricted' | 'military-management' | 'state-organ' | 'confidential-unit';
  bufferMeters: number;
  polygon?: GeoPoint[];
  center?: GeoPoint;
  radiusMeters?: number;
}

export interface SiteProfile {
  file: string;
  defaultSystemClass?: SystemClass;
  cameras: CameraAssignment[];
  consents: ConsentRecord[];
  filings: FilingRecord[];
  signage: SignageRecord[];
  geofences: Geofence[];
  recorderHooks: { stop?: RecorderHook; start?: RecorderHook };
  /** The site enables ONVIF levers here (and the vendor profile must agree). */
  levers: Partial<VendorLevers>;
}

export interface ProfileSet {
  /** Content hash of every file in the set (sha256 hex, first 16). */
  revision: string;
  dir: string;
  /** Active policy pack id; `packs` holds it. */
  packId: string;
  /** Every pack of the set by id, validated when the set was loaded (policy/ interprets the rules). */
  packs: Record<string, PolicyPack>;
  vendors: VendorProfile[];
  site: SiteProfile;
  retention: RetentionPolicy;
  layouts: Record<string, RecordingLayout>;
  /** Whether a signed bundle manifest was verified. */
  signed: boolean;
}
