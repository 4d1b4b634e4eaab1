import type { CameraRecord, DeviceReport, RecordingSourceInfo } from '../model/camera-records.js';
import { ErrorCode } from '../util/errors.js';
import { channelId, idFromEndpoint, idFromSerialAndMac, macFromScopes } from './identity.js';
import { channelTags, locationTagsFromScopes } from './location-tags.js';
import type { Claim } from './resolve-identity.js';

const PENDING = { action: 'flag' as const, reasons: [] };

/**
 * Identity was not confirmed when GetDeviceInformation never answered, or when the device was given no credentials
 * because it lies outside the configured targets and interfaces (whatever it answered anonymously is its own word).
 */
function isUnverified(report: DeviceReport): boolean {
  return (
    (report.manufacturer === undefined && report.model === undefined && report.serial === undefined) ||
    report.errors.some((e) => e.code === ErrorCode.CredentialsWithheld)
  );
}

function baseRecord(
  report: DeviceReport,
  id: string,
  claimErrors: readonly CameraRecord['errors'][number][],
): CameraRecord {
  const record: CameraRecord = {
    id,
    kind: 'camera',
    endpoint: report.discovered.endpoint,
    address: report.discovered.address,
    xaddr: report.xaddr,
    scopes: [...report.scopes],
    location: { zone: 'unknown', source: 'none', tags: locationTagsFromScopes(report.scopes) },
    decision: { ...PENDING, reasons: [] },
    errors: [...report.errors, ...claimErrors],
  };
  for (const key of ['manufacturer', 'model', 'firmware', 'serial', 'hardwareId'] as const) {
    const v = report[key];
    if (v !== undefined) record[key] = v;
  }
  const mac = report.mac ?? macFromScopes(report.scopes);
  if (mac !== undefined) record.mac = mac;
  if (report.ipv6 && report.ipv6.length > 0) record.ipv6 = [...report.ipv6];
  if (report.geo) record.location.geo = { ...report.geo };
  if (report.authenticated) record.authenticated = true;
  // A camera's or recorder's own location is in its scopes and geolocation; its recordings name its channels'.
  if (report.unreadLocation?.some((call) => call !== 'GetRecordings')) record.locationUnread = true;
  if (isUnverified(report)) {
    record.unverified = true;
    if (!record.errors.some((e) => e.code !== ErrorCode.ClockSkew)) {
      record.errors.push({ code: ErrorCode.UnverifiedDevice, message: 'device identity could not be confirmed' });
    }
  }
  return record;
}

export function recordId(report: DeviceReport): string {
  return (
    idFromEndpoint(report.discovered.endpoint) ??
    idFromSerialAndMac(
      report.serial,
      report.mac ?? macFromScopes(report.scopes),
      report.xaddr || report.discovered.address,
    )
  );
}

/** Pairs each video source with its recording (SourceId = token, else the same position). */
function channelsOf(report: DeviceReport): Array<{ token: string; recording: RecordingSourceInfo | undefined }> {
  const recs = report.recordings;
  if (report.videoSources.length > 0) {
    const used = new Set<RecordingSourceInfo>();
    const pairs = report.videoSources.map((vs) => {
      const rec = recs.find((r) => r.sourceId === vs.token || r.sourceId.endsWith(`/${vs.token}`));
      if (rec) used.add(rec);
      return { token: vs.token, recording: rec };
    });
    // Unmatched sources take the unused recordings in order (vendors leave SourceId empty or put a URL there).
    const spare = recs.filter((r) => !used.has(r));
    for (const p of pairs) if (!p.recording) p.recording = spare.shift();
    return pairs;
  }
  return recs.map((r) => ({ token: r.sourceId || r.recordingToken, recording: r }));
}

function commonRetention(recs: readonly RecordingSourceInfo[]): string | undefined {
  const values = new Set(recs.map((r) => r.maximumRetentionTime).filter((v): v is string => v !== undefined));
  return values.size === 1 ? [...values][0] : undefined;
}

/** The device's earliest footage: its search summary, else the oldest of its recordings. */
function deviceEarliest(report: DeviceReport): string | undefined {
  if (report.earliestRecording !== undefined) return report.earliestRecording;
  const times = report.recordings.flatMap((r) => (r.earliestRecording === undefined ? [] : [r.earliestRecording]));
  return times.sort()[0];
}

/**
 * CameraRecords from one DeviceReport: a camera, or a recorder plus one record per channel
 * (`id` = `<recorder id>:<source token>` with the token made safe, `parent`, `channel` verbatim). The id is the one
 * identity resolution gave (resolve-identity.ts), else the one the report itself gives. Decisions are left for
 * decide().
 */
export function buildRecords(report: DeviceReport, claim?: Claim): CameraRecord[] {
  const id = claim?.id ?? recordId(report);
  const claimErrors = claim?.errors ?? [];
  const main = baseRecord(report, id, claimErrors);
  const retention = commonRetention(report.recordings);
  if (retention !== undefined) main.maximumRetentionTime = retention;
  const earliest = deviceEarliest(report);
  if (earliest !== undefined) main.earliestRecording = earliest;
  if (!report.isRecorder) return [main];
  main.kind = 'recorder';
  const records: CameraRecord[] = [main];
  const seen = new Set<string>();
  for (const { token, recording } of channelsOf(report)) {
    if (token === '' || seen.has(token)) continue;
    seen.add(token);
    const channel: CameraRecord = {
      id: channelId(id, token),
      kind: 'camera',
      endpoint: report.discovered.endpoint,
      address: report.discovered.address,
      xaddr: report.xaddr,
      scopes: [],
      location: { zone: 'unknown', source: 'none', tags: channelTags(recording) },
      decision: { ...PENDING, reasons: [] },
      errors: [...claimErrors],
      parent: id,
      channel: token,
    };
    if (report.authenticated) channel.authenticated = true;
    if (report.unreadLocation !== undefined) channel.locationUnread = true;
    if (recording?.maximumRetentionTime !== undefined) channel.maximumRetentionTime = recording.maximumRetentionTime;
    // The channel's own earliest footage; else the device's, which is older, so a shortfall is never invented.
    const from = recording?.earliestRecording ?? report.earliestRecording;
    if (from !== undefined) channel.earliestRecording = from;
    records.push(channel);
  }
  return records;
}
