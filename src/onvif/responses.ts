import type { GeoPoint, RecordingSourceInfo, VideoSourceInfo } from '../model/camera-records.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import {
  attr,
  child,
  childrenNamed,
  faultToError,
  findAll,
  findFirst,
  type ParseXmlOptions,
  parseXml,
  parseXmlAsync,
  path,
  readSoapFault,
  textOf,
  type XmlNode,
} from '../xml/index.js';
import { SERVICE_BY_NAMESPACE } from '../xml/namespaces.js';

/**
 * Parsers of raw ONVIF SOAP responses. They read the wire XML (never the onvif package's linerased objects), so
 * identity strings stay verbatim, and they do not care which prefixes a vendor uses.
 */

/** Parses a response envelope and returns the element inside Body; a Fault becomes a CamwardenError. */
export function responseBody(xml: string, operation: string, maxBytes?: number): XmlNode {
  return bodyOf(parseXml(xml, maxBytes === undefined ? {} : { maxBytes }), operation);
}

/** responseBody, parsed in slices that yield to the event loop (see parseXmlAsync): for device answers. */
export async function responseBodyAsync(xml: string, operation: string, limits: ParseXmlOptions): Promise<XmlNode> {
  return bodyOf(await parseXmlAsync(xml, limits), operation);
}

function bodyOf(envelope: XmlNode, operation: string): XmlNode {
  if (envelope.local !== 'Envelope') {
    throw new CamwardenError(ErrorCode.InvalidXml, `${operation}: not a SOAP envelope (<${envelope.name}>)`);
  }
  const fault = readSoapFault(envelope);
  if (fault) throw faultToError(fault, operation);
  const body = child(envelope, 'Body');
  const first = body?.children[0];
  if (!first) throw new CamwardenError(ErrorCode.InvalidXml, `${operation}: empty SOAP body`);
  return first;
}

export interface DeviceInformation {
  manufacturer?: string;
  model?: string;
  firmware?: string;
  serial?: string;
  hardwareId?: string;
}

function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

export function parseDeviceInformation(body: XmlNode): DeviceInformation {
  const info: DeviceInformation = {};
  put(info, 'manufacturer', textOf(child(body, 'Manufacturer')));
  put(info, 'model', textOf(child(body, 'Model')));
  put(info, 'firmware', textOf(child(body, 'FirmwareVersion')));
  put(info, 'serial', textOf(child(body, 'SerialNumber')));
  put(info, 'hardwareId', textOf(child(body, 'HardwareId')));
  return info;
}

/** Device UTC time from GetSystemDateAndTime (UTCDateTime, else LocalDateTime read as UTC); undefined if absent. */
export function parseSystemDateAndTime(body: XmlNode): Date | undefined {
  const sdt = child(body, 'SystemDateAndTime');
  const dt = child(sdt, 'UTCDateTime') ?? child(sdt, 'LocalDateTime');
  if (!dt) return undefined;
  const num = (...p: string[]): number => Number(textOf(path(dt, ...p)));
  const [y, mo, d, h, mi, s] = [
    num('Date', 'Year'),
    num('Date', 'Month'),
    num('Date', 'Day'),
    num('Time', 'Hour'),
    num('Time', 'Minute'),
    num('Time', 'Second'),
  ];
  if (![y, mo, d, h, mi, s].every((v) => Number.isInteger(v))) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

export function parseScopes(body: XmlNode): string[] {
  return childrenNamed(body, 'Scopes')
    .map((s) => textOf(child(s, 'ScopeItem')) ?? textOf(s) ?? '')
    .filter((s) => s.length > 0);
}

export interface ServiceMap {
  device?: string;
  media?: string;
  media2?: string;
  recording?: string;
  search?: string;
  replay?: string;
  /** tds:SystemCapabilities/@GeoLocationEntries > 0 (GetServices with capabilities). */
  geoLocation?: boolean;
  /** The device's network capability IPVersion6; undefined when it does not say. */
  ipv6?: boolean;
}

function geoAdvertised(node: XmlNode | undefined): boolean {
  const system = node ? (findFirst(node, 'System') ?? node) : undefined;
  const entries = attr(system, 'GeoLocationEntries');
  return entries !== undefined && Number(entries) > 0;
}

/** `true`/`false` as written (xs:boolean also allows 1/0); undefined for anything else. */
function xsBoolean(value: string | undefined): boolean | undefined {
  const v = value?.trim();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return undefined;
}

/** GetServices: one entry or many (a single Service is still a list here). */
export function parseServices(body: XmlNode): ServiceMap {
  const map: ServiceMap = {};
  for (const service of childrenNamed(body, 'Service')) {
    const ns = textOf(child(service, 'Namespace'));
    const xaddr = textOf(child(service, 'XAddr'));
    const key = ns ? SERVICE_BY_NAMESPACE[ns] : undefined;
    if (key && xaddr && map[key] === undefined) map[key] = xaddr;
    if (key !== 'device') continue;
    const caps = child(service, 'Capabilities');
    if (geoAdvertised(caps)) map.geoLocation = true;
    const ipv6 = xsBoolean(attr(caps ? findFirst(caps, 'Network') : undefined, 'IPVersion6'));
    if (ipv6 !== undefined) map.ipv6 = ipv6;
  }
  return map;
}

/** GetCapabilities fallback for devices without GetServices. */
export function parseCapabilities(body: XmlNode): ServiceMap {
  const caps = child(body, 'Capabilities');
  const map: ServiceMap = {};
  const x = (...p: string[]): string | undefined => textOf(path(caps, ...p, 'XAddr'));
  put(map, 'device', x('Device'));
  put(map, 'media', x('Media'));
  put(map, 'recording', x('Extension', 'Recording'));
  put(map, 'search', x('Extension', 'Search'));
  put(map, 'replay', x('Extension', 'Replay'));
  put(map, 'ipv6', xsBoolean(textOf(path(caps, 'Device', 'Network', 'IPVersion6'))));
  return map;
}

export function parseProfileTokens(body: XmlNode): string[] {
  return childrenNamed(body, 'Profiles')
    .map((p) => attr(p, 'token') ?? '')
    .filter((t) => t.length > 0);
}

/** Media1 GetVideoSources (`VideoSources@token`) or Media2 GetVideoSourceConfigurations (`SourceToken`). */
export function parseVideoSources(body: XmlNode): VideoSourceInfo[] {
  const tokens = new Set<string>();
  for (const vs of childrenNamed(body, 'VideoSources')) {
    const t = attr(vs, 'token');
    if (t) tokens.add(t);
  }
  for (const cfg of childrenNamed(body, 'Configurations')) {
    const t = textOf(child(cfg, 'SourceToken'));
    if (t) tokens.add(t);
  }
  return [...tokens].map((token) => ({ token }));
}

export function parseRecordings(body: XmlNode): RecordingSourceInfo[] {
  return childrenNamed(body, 'RecordingItem').map((item) => {
    const cfg = child(item, 'Configuration');
    const source = child(cfg, 'Source');
    const info: RecordingSourceInfo = {
      recordingToken: textOf(child(item, 'RecordingToken')) ?? '',
      sourceId: textOf(child(source, 'SourceId')) ?? '',
      name: textOf(child(source, 'Name')) ?? '',
      location: textOf(child(source, 'Location')) ?? '',
      description: textOf(child(source, 'Description')) ?? '',
    };
    put(info, 'maximumRetentionTime', textOf(child(cfg, 'MaximumRetentionTime')));
    return info;
  });
}

/** IPv6 addresses a device reports in GetNetworkInterfaces (manual, link-local, DHCP, router advertisement). */
export function parseIpv6Addresses(body: XmlNode): string[] {
  const out: string[] = [];
  for (const ni of childrenNamed(body, 'NetworkInterfaces')) {
    const config = path(ni, 'IPv6', 'Config');
    for (const kind of ['Manual', 'LinkLocal', 'FromDHCP', 'FromRA']) {
      for (const entry of childrenNamed(config, kind)) {
        const address = textOf(child(entry, 'Address'));
        if (address) out.push(address);
      }
    }
  }
  return out;
}

/** GetGeoLocation per schema (tt:LocationEntity/tt:GeoLocation @lat @lon @elevation); first valid point wins. */
export function parseGeoLocation(body: XmlNode): GeoPoint | undefined {
  for (const geo of findAll(body, 'GeoLocation')) {
    const lat = Number(attr(geo, 'lat'));
    const lon = Number(attr(geo, 'lon'));
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) continue;
    if (attr(geo, 'lat') === undefined || attr(geo, 'lon') === undefined) continue;
    const point: GeoPoint = { lat, lon };
    const elevation = Number(attr(geo, 'elevation'));
    if (attr(geo, 'elevation') !== undefined && Number.isFinite(elevation)) point.elevation = elevation;
    return point;
  }
  return undefined;
}

/** An xs:dateTime as ISO-8601 UTC, or undefined when it is no time at all. */
function dateTime(value: string | undefined): string | undefined {
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** GetRecordingSummary: the start of the oldest footage on the device (tt:DataFrom). */
export function parseRecordingSummary(body: XmlNode): string | undefined {
  return dateTime(textOf(path(body, 'Summary', 'DataFrom')));
}

/** FindRecordings: the token of the search it started. */
export function parseSearchToken(body: XmlNode): string {
  const token = textOf(child(body, 'SearchToken'));
  if (!token) throw new CamwardenError(ErrorCode.InvalidXml, 'FindRecordings: no SearchToken in the answer');
  return token;
}

export interface RecordingSearchResults {
  /** Queued, Searching or Completed. */
  state: string;
  /** Recording token → start of its oldest footage (tt:EarliestRecording). */
  earliest: Record<string, string>;
}

/** GetRecordingSearchResults: each recording's earliest footage, and whether the search is complete. */
export function parseRecordingSearchResults(body: XmlNode): RecordingSearchResults {
  const list = child(body, 'ResultList');
  const earliest: Record<string, string> = {};
  for (const info of childrenNamed(list, 'RecordingInformation')) {
    const token = textOf(child(info, 'RecordingToken'));
    const from = dateTime(textOf(child(info, 'EarliestRecording')));
    if (token && from && !Object.hasOwn(earliest, token)) earliest[token] = from;
  }
  return { state: textOf(child(list, 'SearchState')) ?? 'Completed', earliest };
}
