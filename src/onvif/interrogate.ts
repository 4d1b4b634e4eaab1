import { DEFAULT_SCOPE_LIMITS, limitScopes, type ScopeLimits } from '../discovery/scope-limits.js';
import type { DeviceError, DeviceReport, DiscoveredDevice } from '../model/camera-records.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import { canonicalIpv6 } from '../util/ipv6.js';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import { NS } from '../xml/namespaces.js';
import { CamClient } from './cam-client.js';
import { readEarliestRecordings } from './recording-search.js';
import {
  parseDeviceInformation,
  parseGeoLocation,
  parseIpv6Addresses,
  parseRecordings,
  parseScopes,
  parseSystemDateAndTime,
  parseVideoSources,
} from './responses.js';
import { answersNothing, readServiceMap } from './service-map.js';
import type { OnvifCredentials } from './session.js';

export interface InterrogateOptions {
  credentials: OnvifCredentials | undefined;
  /** Why no credentials are sent to this device although some are configured (listed as an error). */
  credentialsWithheld?: string;
  callTimeoutMs: number;
  deviceTimeoutMs: number;
  maxResponseBytes: number;
  /** Elements one answer may hold (config onvif.maxResponseElements). */
  maxResponseElements?: number;
  maxClockSkewS: number;
  /** Bounds on the scopes kept from GetScopes (config discovery.maxScopesPerDevice, maxScopeLength). */
  scopeLimits?: ScopeLimits;
  logger?: Logger;
  /** Stops the interrogation early (scan deadline); what was learned is kept. */
  signal?: AbortSignal;
}

/** Picks the device service URL: plain http first (ONVIF default), https otherwise. */
export function pickXaddr(device: DiscoveredDevice): URL | undefined {
  const urls = device.xaddrs.flatMap((x) => {
    try {
      return [new URL(x)];
    } catch {
      return [];
    }
  });
  return urls.find((u) => u.protocol === 'http:') ?? urls.find((u) => u.protocol === 'https:');
}

export function emptyReport(discovered: DiscoveredDevice, xaddr: string): DeviceReport {
  return {
    discovered,
    xaddr,
    scopes: [],
    services: {},
    videoSources: [],
    recordings: [],
    isRecorder: false,
    authenticated: false,
    errors: [...(discovered.errors ?? [])],
  };
}

function toDeviceError(err: unknown): DeviceError {
  if (err instanceof CamwardenError) return { code: err.code, message: err.message.slice(0, 400) };
  return { code: ErrorCode.Internal, message: errorMessage(err).slice(0, 400) };
}

const MAX_REPORTED_IPV6 = 16;

/** Valid, distinct, canonical, at most MAX_REPORTED_IPV6: a device can list addresses without end. */
function limitIpv6(raw: readonly string[]): { addresses: string[]; error?: DeviceError } {
  const addresses = new Set<string>();
  let dropped = 0;
  for (const value of raw) {
    const a = canonicalIpv6(value);
    if (a === undefined) continue;
    if (addresses.size < MAX_REPORTED_IPV6) addresses.add(a);
    else if (!addresses.has(a)) dropped++;
  }
  if (dropped === 0) return { addresses: [...addresses] };
  return {
    addresses: [...addresses],
    error: {
      code: ErrorCode.ItemsDropped,
      message: `GetNetworkInterfaces: ${dropped} IPv6 addresses past the first ${MAX_REPORTED_IPV6} dropped`,
    },
  };
}

const RECORDER_TYPE = /NetworkVideoStorage|NetworkVideoRecorder|(^|[/:])nvr$/i;
const RECORDER_SCOPE = /\/type\/(nvr|network_?video_?(recorder|storage)|recorder)$/i;

/** The device says it is a recorder, in its discovery Types or its scopes. */
function declaresRecorder(report: DeviceReport): boolean {
  return (
    report.discovered.types.some((t) => RECORDER_TYPE.test(t)) || report.scopes.some((s) => RECORDER_SCOPE.test(s))
  );
}

/** A recorder: it says so in Types/scopes, or it records several video sources through Profile G. */
export function looksLikeRecorder(report: DeviceReport): boolean {
  if (declaresRecorder(report)) return true;
  return report.services.recording !== undefined && report.videoSources.length > 1 && report.recordings.length > 1;
}

/**
 * Interrogates one device with the calls its record, its decision and its enforcement need, and no more:
 * GetSystemDateAndTime (clock skew, WS-Security offset), then GetDeviceInformation, GetScopes and GetServices
 * (GetCapabilities fallback), then GetNetworkInterfaces (IPv6 addresses to isolate) unless the device rules IPv6 out,
 * GetGeoLocation where advertised, GetRecordings where Profile G is, the earliest recordings where a search service
 * is, and the video sources only where the device is or may be a recorder (its channels). CamClient sends them in
 * turn over one connection, each under its own timer. Never throws: every failure becomes an entry in `errors` and
 * what was learned before it is kept. Bounded by its own deadline.
 */
export async function interrogateDevice(discovered: DiscoveredDevice, opts: InterrogateOptions): Promise<DeviceReport> {
  const log = opts.logger ?? silentLogger();
  const url = pickXaddr(discovered);
  const report = emptyReport(discovered, url?.href ?? discovered.xaddrs[0] ?? '');
  if (opts.credentialsWithheld !== undefined) {
    report.errors.push({ code: ErrorCode.CredentialsWithheld, message: opts.credentialsWithheld });
  }
  if (!url) {
    const refused = discovered.refusedXaddrs ?? [];
    report.errors.push(
      refused.length > 0
        ? {
            code: ErrorCode.ForeignXaddr,
            message: `every XAddr points away from ${discovered.address} (refused: ${refused.slice(0, 3).join(' ')})`,
          }
        : { code: ErrorCode.Unreachable, message: 'the device announced no usable XAddr' },
    );
    return report;
  }
  if (opts.signal?.aborted) {
    report.errors.push({ code: ErrorCode.Timeout, message: 'scan time limit reached before interrogation' });
    return report;
  }
  const client = new CamClient({
    xaddr: url,
    credentials: opts.credentials,
    callTimeoutMs: opts.callTimeoutMs,
    maxResponseBytes: opts.maxResponseBytes,
    ...(opts.maxResponseElements === undefined ? {} : { maxResponseElements: opts.maxResponseElements }),
  });
  let finished = false;
  const fail = (err: unknown): void => {
    if (!finished) report.errors.push(toDeviceError(err));
  };
  // The answers that say where the device is, struck off as each is read in time (see DeviceReport.unreadLocation).
  const unread = new Set<string>(['GetScopes', 'GetServices']);
  const read = (call: string): void => {
    if (!finished) unread.delete(call);
  };
  const work = (async () => {
    // 1. Clock first: WS-Security timestamps are computed from it.
    try {
      const sentAt = Date.now();
      const reply = await client.getSystemDateAndTime();
      const deviceTime = parseSystemDateAndTime(reply.body);
      if (deviceTime && !finished) {
        const skew = deviceTime.getTime() - Math.round((sentAt + reply.receivedAt) / 2);
        report.clockSkewMs = skew;
        if (Math.abs(skew) > opts.maxClockSkewS * 1000) {
          report.errors.push({
            code: ErrorCode.ClockSkew,
            message: `device clock is ${Math.round(skew / 1000)} s off (device says ${deviceTime.toISOString()})`,
          });
        }
      }
    } catch (err) {
      fail(err);
      if (answersNothing(err)) return;
    }
    // 2. Identity, scopes and services.
    const [info, scopes] = await Promise.allSettled([
      client.call('device', 'GetDeviceInformation', `<GetDeviceInformation xmlns="${NS.device}"/>`),
      client.call('device', 'GetScopes', `<GetScopes xmlns="${NS.device}"/>`),
    ]);
    if (finished) return;
    if (info.status === 'fulfilled') {
      try {
        const identity = parseDeviceInformation(info.value.body);
        Object.assign(report, identity);
        report.authenticated = opts.credentials !== undefined && Object.keys(identity).length > 0;
      } catch (err) {
        fail(err);
      }
    } else fail(info.reason);
    if (scopes.status === 'fulfilled') {
      try {
        const limited = limitScopes(
          parseScopes(scopes.value.body),
          opts.scopeLimits ?? DEFAULT_SCOPE_LIMITS,
          'GetScopes',
        );
        // GetScopes is the only source of scopes (a ProbeMatch's are never used), and it replaces any complaint
        // about the discovery message's scopes.
        report.scopes = limited.scopes;
        report.errors = report.errors.filter((e) => e.code !== ErrorCode.ScopesDropped);
        if (limited.error) report.errors.push(limited.error);
        else read('GetScopes');
      } catch (err) {
        fail(err);
      }
    } else fail(scopes.reason);
    const { map, errors } = await readServiceMap(client, true);
    for (const err of errors) fail(err);
    if (!map || finished) return;
    read('GetServices');
    const { geoLocation, ipv6: speaksIpv6, ...urls } = map;
    if (geoLocation) unread.add('GetGeoLocation');
    if (map.recording) unread.add('GetRecordings');
    report.services = {};
    for (const key of ['media', 'media2', 'recording', 'search', 'replay'] as const) {
      const v = urls[key];
      if (v !== undefined) report.services[key] = v;
    }
    client.setServiceUrls(urls);
    // 3. Geolocation, IPv6 addresses, recordings and, for a recorder, its video sources (its channels). Media
    //    profiles are not asked for: no record field, decision or action uses them.
    const media = map.media ? 'media' : map.media2 ? 'media2' : undefined;
    const readVideoSources = async (): Promise<void> => {
      if (!media) return;
      const ns = NS[media];
      const op = media === 'media' ? 'GetVideoSources' : 'GetVideoSourceConfigurations';
      const r = await client.call(media, op, `<${op} xmlns="${ns}"/>`);
      if (!finished) report.videoSources = parseVideoSources(r.body);
    };
    const declared = declaresRecorder(report);
    const tasks: Array<Promise<void>> = [];
    if (declared) tasks.push(readVideoSources().catch(fail));
    if (geoLocation) {
      tasks.push(
        client.call('device', 'GetGeoLocation', `<GetGeoLocation xmlns="${NS.device}"/>`).then(
          (r) => {
            const geo = parseGeoLocation(r.body);
            if (geo && !finished) report.geo = geo;
            read('GetGeoLocation');
          },
          (err: unknown) => {
            if (!(err instanceof CamwardenError && err.code === ErrorCode.NotSupported)) fail(err);
            else read('GetGeoLocation');
          },
        ),
      );
    }
    // IPv6 addresses, so a block can isolate them too, asked unless the device's capabilities rule IPv6 out. Optional:
    // a device that does not say is isolated by what the gateway's neighbour table shows, and a failure here says
    // nothing about the device's identity.
    if (speaksIpv6 !== false)
      tasks.push(
        client.call('device', 'GetNetworkInterfaces', `<GetNetworkInterfaces xmlns="${NS.device}"/>`).then(
          (r) => {
            const ipv6 = limitIpv6(parseIpv6Addresses(r.body));
            if (finished) return;
            if (ipv6.addresses.length > 0) report.ipv6 = ipv6.addresses;
            if (ipv6.error) report.errors.push(ipv6.error);
          },
          (err: unknown) => log.debug({ address: discovered.address, err: errorMessage(err) }, 'no network interfaces'),
        ),
      );
    if (map.recording) {
      tasks.push(
        client
          .call('recording', 'GetRecordings', `<GetRecordings xmlns="${NS.recording}"/>`)
          .then(async (r) => {
            if (finished) return;
            report.recordings = parseRecordings(r.body);
            read('GetRecordings');
            // Several recordings may be a recorder's channels: its video sources tell (looksLikeRecorder).
            if (!declared && report.recordings.length > 1) await readVideoSources();
          })
          .catch(fail),
      );
    }
    await Promise.all(tasks.map((t) => t.catch(fail)));
    // How far back footage really goes (a ring buffer shorter than MaximumRetentionTime claims shows only here),
    // per recording only where there are several (a recorder's channels); one summary covers a camera.
    const found =
      map.search && !finished
        ? await readEarliestRecordings(client, { perRecording: declared || report.recordings.length > 1 })
        : undefined;
    if (found && !finished) {
      if (found.device !== undefined) report.earliestRecording = found.device;
      for (const r of report.recordings) {
        const from = found.byRecording[r.recordingToken];
        if (from !== undefined) r.earliestRecording = from;
      }
      for (const err of found.errors) fail(err);
    }
  })();

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      work.catch(fail),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          fail(new CamwardenError(ErrorCode.Timeout, `interrogation not finished within ${opts.deviceTimeoutMs} ms`));
          resolve();
        }, opts.deviceTimeoutMs);
        onAbort = () => {
          fail(new CamwardenError(ErrorCode.Timeout, 'scan time limit reached during interrogation'));
          resolve();
        };
        if (opts.signal?.aborted) onAbort();
        else opts.signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    finished = true;
    if (timer) clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    client.close();
  }
  report.isRecorder = looksLikeRecorder(report);
  if (unread.size > 0) report.unreadLocation = [...unread].sort();
  log.debug({ address: discovered.address, errors: report.errors.length }, 'device interrogated');
  return report;
}
