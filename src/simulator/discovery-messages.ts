import { randomUUID } from 'node:crypto';
import { NS, type StyleDefinition } from './vendor-styles.js';
import { elements, escapeXml, namespaceOf, textOf } from './xml.js';

export type DiscoveryVersion = '2005/04' | '2009/01';

export interface ParsedProbe {
  messageId: string;
  version: DiscoveryVersion;
  /** Requested types as {ns, local}; ns undefined when the prefix was not declared. */
  types: Array<{ ns: string | undefined; local: string }>;
  scopes: string[];
  matchBy: string | undefined;
}

/** Datagrams larger than this are not even looked at (the largest legal IPv4 UDP payload is 65,507 bytes). */
const MAX_PROBE_BYTES = 65_535;

/** Parses a WS-Discovery Probe; anything else (ProbeMatches, Hello, junk) yields undefined. Never throws. */
export function parseProbe(datagram: Buffer): ParsedProbe | undefined {
  if (datagram.length === 0 || datagram.length > MAX_PROBE_BYTES) return undefined;
  const xml = datagram.toString('utf8');
  let version: DiscoveryVersion;
  if (xml.includes(NS.wsd2005)) version = '2005/04';
  else if (xml.includes(NS.wsd2009)) version = '2009/01';
  else return undefined;
  const body = elements(xml, 'Body')[0]?.inner;
  if (body === undefined) return undefined;
  const probe = elements(body, 'Probe')[0];
  if (!probe) return undefined;
  const messageId = textOf(xml, 'MessageID');
  if (!messageId || messageId.length > 256) return undefined;
  const types = (textOf(probe.inner, 'Types') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 32)
    .map((q) => {
      const i = q.indexOf(':');
      if (i < 0) return { ns: namespaceOf(xml, '', ''), local: q };
      return { ns: namespaceOf(xml, q.slice(0, i), probe.attrs), local: q.slice(i + 1) };
    });
  const scopesEl = elements(probe.inner, 'Scopes')[0];
  const scopes = (textOf(probe.inner, 'Scopes') ?? '').split(/\s+/).filter(Boolean).slice(0, 64);
  const matchBy = scopesEl ? namespaceFreeAttr(scopesEl.attrs, 'MatchBy') : undefined;
  return { messageId, version, types, scopes, matchBy };
}

function namespaceFreeAttr(attrs: string, name: string): string | undefined {
  return new RegExp(`(?:^|\\s)${name}\\s*=\\s*"([^"]*)"`).exec(attrs)?.[1];
}

const DEVICE_TYPES = [
  { ns: NS.dn, local: 'NetworkVideoTransmitter' },
  { ns: NS.tds, local: 'Device' },
];

/** A target must implement every requested type; an undeclared prefix is matched on the local name alone. */
export function typesMatch(requested: ParsedProbe['types'], offered = DEVICE_TYPES): boolean {
  return requested.every((r) => offered.some((o) => o.local === r.local && (r.ns === undefined || r.ns === o.ns)));
}

/** WS-Discovery scope matching: rfc3986 (segment-wise prefix, the default) or strcmp0. */
export function scopesMatch(requested: string[], offered: string[], matchBy: string | undefined): boolean {
  if (requested.length === 0) return true;
  const exact = matchBy?.endsWith('/strcmp0') ?? false;
  return requested.every((r) =>
    offered.some((o) => {
      if (exact) return o === r;
      const rs = r.replace(/\/+$/, '').split('/');
      const os = o.replace(/\/+$/, '').split('/');
      if (rs.length > os.length) return false;
      return rs.every((seg, i) => (i < 3 ? seg.toLowerCase() === os[i]?.toLowerCase() : seg === os[i]));
    }),
  );
}

export interface AnnounceFields {
  endpoint: string;
  types: string;
  scopes: string[];
  xaddrs: string[];
  metadataVersion: number;
  instanceId: number;
  messageNumber: number;
}

interface VersionNames {
  d: string;
  wsa: string;
  action: (what: string) => string;
  adHocTo: string;
  anonymous: string;
}

function names(version: DiscoveryVersion): VersionNames {
  if (version === '2009/01') {
    return {
      d: NS.wsd2009,
      wsa: NS.wsa2005,
      action: (w) => `${NS.wsd2009}/${w}`,
      adHocTo: 'urn:docs-oasis-open-org:ws-dd:ns:discovery:2009:01',
      anonymous: `${NS.wsa2005}/anonymous`,
    };
  }
  return {
    d: NS.wsd2005,
    wsa: NS.wsa2004,
    action: (w) => `${NS.wsd2005}/${w}`,
    adHocTo: 'urn:schemas-xmlsoap-org:ws:2005:04:discovery',
    anonymous: `${NS.wsa2004}/role/anonymous`,
  };
}

function list(values: string[], style: StyleDefinition): string {
  const escaped = values.map(escapeXml);
  if (!style.multilineDiscovery) return escaped.join(' ');
  // Axis/Dahua style: two per line, indented, trailing newline.
  const lines: string[] = [];
  for (let i = 0; i < escaped.length; i += 2) lines.push(escaped.slice(i, i + 2).join(' '));
  return `${lines.join('\n                    ')}\n                `;
}

function discoveryEnvelope(style: StyleDefinition, version: DiscoveryVersion, header: string, body: string): string {
  const n = names(version);
  const s = style.envPrefix;
  const d = style.discoPrefix;
  const a = style.addressingPrefix;
  const nl = style.pretty ? '\n' : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>${nl}<${s}:Envelope xmlns:${s}="${NS.soap}" xmlns:${a}="${n.wsa}" ` +
    `xmlns:${d}="${n.d}" xmlns:dn="${NS.dn}" xmlns:tds="${NS.tds}">${nl}<${s}:Header>${header}</${s}:Header>${nl}` +
    `<${s}:Body>${body}</${s}:Body>${nl}</${s}:Envelope>`
  );
}

function matchBody(style: StyleDefinition, f: AnnounceFields, withXAddrs = true): string {
  const d = style.discoPrefix;
  const a = style.addressingPrefix;
  return (
    `<${a}:EndpointReference><${a}:Address>${escapeXml(f.endpoint)}</${a}:Address></${a}:EndpointReference>` +
    `<${d}:Types>${escapeXml(f.types)}</${d}:Types>` +
    `<${d}:Scopes>${list(f.scopes, style)}</${d}:Scopes>` +
    (withXAddrs ? `<${d}:XAddrs>${list(f.xaddrs, style)}</${d}:XAddrs>` : '') +
    `<${d}:MetadataVersion>${f.metadataVersion}</${d}:MetadataVersion>`
  );
}

function header(
  style: StyleDefinition,
  version: DiscoveryVersion,
  action: string,
  f: AnnounceFields,
  extra: { relatesTo?: string; to?: string },
): string {
  const n = names(version);
  const a = style.addressingPrefix;
  const d = style.discoPrefix;
  const s = style.envPrefix;
  const id = style.bareUuid ? `uuid:${randomUUID()}` : `urn:uuid:${randomUUID()}`;
  return (
    `<${a}:MessageID>${id}</${a}:MessageID>` +
    (extra.relatesTo !== undefined ? `<${a}:RelatesTo>${escapeXml(extra.relatesTo)}</${a}:RelatesTo>` : '') +
    `<${a}:To ${s}:mustUnderstand="true">${escapeXml(extra.to ?? n.anonymous)}</${a}:To>` +
    `<${a}:Action ${s}:mustUnderstand="true">${n.action(action)}</${a}:Action>` +
    `<${d}:AppSequence ${s}:mustUnderstand="true" MessageNumber="${f.messageNumber}" InstanceId="${f.instanceId}"></${d}:AppSequence>`
  );
}

export function probeMatches(
  style: StyleDefinition,
  version: DiscoveryVersion,
  relatesTo: string | undefined,
  f: AnnounceFields,
  padding = '',
): string {
  const d = style.discoPrefix;
  return discoveryEnvelope(
    style,
    version,
    header(style, version, 'ProbeMatches', f, relatesTo === undefined ? {} : { relatesTo }),
    `<${d}:ProbeMatches><${d}:ProbeMatch>${matchBody(style, f)}</${d}:ProbeMatch>${padding}</${d}:ProbeMatches>`,
  );
}

export function hello(style: StyleDefinition, version: DiscoveryVersion, f: AnnounceFields): string {
  const d = style.discoPrefix;
  return discoveryEnvelope(
    style,
    version,
    header(style, version, 'Hello', f, { to: names(version).adHocTo }),
    `<${d}:Hello>${matchBody(style, f)}</${d}:Hello>`,
  );
}

export function bye(style: StyleDefinition, version: DiscoveryVersion, f: AnnounceFields): string {
  const d = style.discoPrefix;
  const a = style.addressingPrefix;
  return discoveryEnvelope(
    style,
    version,
    header(style, version, 'Bye', f, { to: names(version).adHocTo }),
    `<${d}:Bye><${a}:EndpointReference><${a}:Address>${escapeXml(f.endpoint)}</${a}:Address></${a}:EndpointReference></${d}:Bye>`,
  );
}

/** A WS-Discovery printer (WSD) answering any probe: not an ONVIF device. */
export function printerProbeMatch(relatesTo: string, endpoint: string, xaddr: string, kind: 'printer' | 'nas'): string {
  const types = kind === 'printer' ? 'wsdp:Device pri:PrintDeviceType' : 'wsdp:Device pub:Computer';
  return (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
    'xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof" xmlns:pri="http://schemas.microsoft.com/windows/2006/08/wdp/print" ' +
    'xmlns:pub="http://schemas.microsoft.com/windows/pnpx/2005/10"><soap:Header>' +
    '<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>' +
    '<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action>' +
    `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${escapeXml(relatesTo)}</wsa:RelatesTo>` +
    '<wsd:AppSequence InstanceId="7" MessageNumber="1"/></soap:Header><soap:Body><wsd:ProbeMatches><wsd:ProbeMatch>' +
    `<wsa:EndpointReference><wsa:Address>${escapeXml(endpoint)}</wsa:Address></wsa:EndpointReference>` +
    `<wsd:Types>${types}</wsd:Types><wsd:XAddrs>${escapeXml(xaddr)}</wsd:XAddrs>` +
    '<wsd:MetadataVersion>2</wsd:MetadataVersion></wsd:ProbeMatch></wsd:ProbeMatches></soap:Body></soap:Envelope>'
  );
}

export function discoveryVersionFor(style: StyleDefinition, probeVersion: DiscoveryVersion): DiscoveryVersion {
  return style.discovery === 'as-probe' ? probeVersion : style.discovery;
}
