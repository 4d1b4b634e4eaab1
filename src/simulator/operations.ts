import { CAPABILITY_HANDLERS } from './capability-operations.js';
import { type DeviceModel, deviceNow, faultOf } from './device-model.js';
import { floodScopes } from './faults.js';
import { MEDIA_HANDLERS } from './media-operations.js';
import { RECORDING_HANDLERS } from './recording-operations.js';
import { SEARCH_HANDLERS } from './search-operations.js';
import { FAULTS, SoapFault } from './soap.js';
import type { ServiceKey } from './vendor-styles.js';
import { elements, escapeXml, textOf, textsOf } from './xml.js';

export interface OperationRequest {
  operation: string;
  service: ServiceKey;
  /** The operation element's XML (the SOAP Body content). */
  body: string;
}

export type Handler = (m: DeviceModel, r: OperationRequest) => string;

const x = escapeXml;

/** Offset in minutes east of UTC from a POSIX TZ string (`BRT3` → -180, `CST-8` → +480). */
function posixOffsetMinutes(tz: string): number {
  const m = /^[A-Za-z]+([+-]?)(\d{1,2})(?::(\d{1,2}))?/.exec(tz);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? minutes : -minutes;
}

function dateTimeXml(tag: string, d: Date): string {
  return (
    `<tt:${tag}><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute>` +
    `<tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year>` +
    `<tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:${tag}>`
  );
}

const getSystemDateAndTime: Handler = (m) => {
  const now = new Date(deviceNow(m));
  const local = new Date(now.getTime() + posixOffsetMinutes(m.style.timeZone) * 60_000);
  return (
    '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType>' +
    `<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>${x(m.style.timeZone)}</tt:TZ></tt:TimeZone>` +
    dateTimeXml('UTCDateTime', now) +
    (m.style.localDateTime ? dateTimeXml('LocalDateTime', local) : '') +
    '</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>'
  );
};

const getDeviceInformation: Handler = (m) => {
  const i = m.identity;
  return (
    `<tds:GetDeviceInformationResponse><tds:Manufacturer>${x(i.manufacturer)}</tds:Manufacturer>` +
    `<tds:Model>${x(i.model)}</tds:Model><tds:FirmwareVersion>${x(i.firmware)}</tds:FirmwareVersion>` +
    `<tds:SerialNumber>${x(i.serial)}</tds:SerialNumber><tds:HardwareId>${x(i.hardwareId)}</tds:HardwareId>` +
    '</tds:GetDeviceInformationResponse>'
  );
};

function syncScopes(m: DeviceModel): void {
  m.state.scopes = [...m.fixedScopes, ...m.configurableScopes];
}

const getScopes: Handler = (m) => {
  const item = (def: string, s: string): string =>
    `<tds:Scopes><tt:ScopeDef>${def}</tt:ScopeDef><tt:ScopeItem>${x(s)}</tt:ScopeItem></tds:Scopes>`;
  const flood = faultOf(m.faults, 'scope-flood');
  // The flood comes first, so the device's real (location) scopes sit past any bound a client keeps.
  const flooded = flood
    ? floodScopes(flood)
        .map((s) => `<tds:Scopes><tt:ScopeItem>${s}</tt:ScopeItem></tds:Scopes>`)
        .join('')
    : '';
  return `<tds:GetScopesResponse>${flooded}${m.fixedScopes.map((s) => item('Fixed', s)).join('')}${m.configurableScopes
    .map((s) => item('Configurable', s))
    .join('')}</tds:GetScopesResponse>`;
};

function requestedScopes(body: string, element: string): string[] {
  const scopes = textsOf(body, element).filter(Boolean);
  if (scopes.some((s) => s.length > 4096 || /\s/.test(s))) {
    throw new SoapFault({
      code: 'Sender',
      subcode: 'ter:InvalidArgVal',
      subsubcode: 'ter:InvalidScope',
      reason: 'Invalid scope',
    });
  }
  return scopes;
}

const setScopes: Handler = (m, r) => {
  const scopes = requestedScopes(r.body, 'Scopes');
  if (scopes.some((s) => m.fixedScopes.includes(s))) {
    throw new SoapFault({
      code: 'Sender',
      subcode: 'ter:OperationProhibited',
      subsubcode: 'ter:ScopeOverwrite',
      reason: 'Fixed scope',
    });
  }
  m.configurableScopes = [...new Set(scopes)];
  syncScopes(m);
  return '<tds:SetScopesResponse></tds:SetScopesResponse>';
};

const addScopes: Handler = (m, r) => {
  const scopes = requestedScopes(r.body, 'ScopeItem');
  for (const s of scopes)
    if (!m.configurableScopes.includes(s) && !m.fixedScopes.includes(s)) m.configurableScopes.push(s);
  syncScopes(m);
  return '<tds:AddScopesResponse></tds:AddScopesResponse>';
};

const removeScopes: Handler = (m, r) => {
  const scopes = requestedScopes(r.body, 'ScopeItem');
  if (scopes.some((s) => m.fixedScopes.includes(s))) {
    throw new SoapFault({
      code: 'Sender',
      subcode: 'ter:OperationProhibited',
      subsubcode: 'ter:FixedScope',
      reason: 'Fixed scope',
    });
  }
  if (scopes.some((s) => !m.configurableScopes.includes(s))) {
    throw new SoapFault({
      code: 'Sender',
      subcode: 'ter:InvalidArgVal',
      subsubcode: 'ter:NoScope',
      reason: 'No such scope',
    });
  }
  m.configurableScopes = m.configurableScopes.filter((s) => !scopes.includes(s));
  syncScopes(m);
  return `<tds:RemoveScopesResponse>${scopes.map((s) => `<tds:ScopeItem>${x(s)}</tds:ScopeItem>`).join('')}</tds:RemoveScopesResponse>`;
};

const getGeoLocation: Handler = (m) => {
  const geo = m.spec.geo;
  if (!geo) throw new SoapFault(FAULTS.actionNotSupported);
  return (
    '<tds:GetGeoLocationResponse><tds:Location Entity="Device" Token="device" Fixed="true">' +
    `<tt:GeoLocation lon="${geo.lon}" lat="${geo.lat}" elevation="0"/></tds:Location></tds:GetGeoLocationResponse>`
  );
};

/** A device with IPv6 addresses says so in its network capabilities, as a real one does. */
const getNetworkProtocols: Handler = (m) => {
  const p = (name: string, enabled: boolean, port: number): string =>
    `<tds:NetworkProtocols><tt:Name>${name}</tt:Name><tt:Enabled>${enabled}</tt:Enabled><tt:Port>${port}</tt:Port></tds:NetworkProtocols>`;
  return `<tds:GetNetworkProtocolsResponse>${p('HTTP', m.state.httpEnabled, m.httpPort)}${p('HTTPS', m.state.httpsEnabled, 443)}${p(
    'RTSP',
    m.state.rtspEnabled,
    m.state.rtspPort,
  )}</tds:GetNetworkProtocolsResponse>`;
};

const setNetworkProtocols: Handler = (m, r) => {
  const protocols = elements(r.body, 'NetworkProtocols');
  if (protocols.length === 0) {
    throw new SoapFault({ code: 'Sender', subcode: 'ter:InvalidArgVal', reason: 'No NetworkProtocols given' });
  }
  const changes: Array<() => void> = [];
  for (const p of protocols) {
    const name = (textOf(p.inner, 'Name') ?? '').toUpperCase();
    const enabledText = textOf(p.inner, 'Enabled');
    if (enabledText !== 'true' && enabledText !== 'false') {
      throw new SoapFault({ code: 'Sender', subcode: 'ter:InvalidArgVal', reason: 'Enabled must be true or false' });
    }
    const enabled = enabledText === 'true';
    const port = Number(textOf(p.inner, 'Port'));
    if (name === 'RTSP') {
      changes.push(() => {
        m.state.rtspEnabled = enabled;
        if (Number.isInteger(port) && port > 0 && port < 65536) m.state.rtspPort = port;
      });
    } else if (name === 'HTTP') changes.push(() => (m.state.httpEnabled = enabled));
    else if (name === 'HTTPS') changes.push(() => (m.state.httpsEnabled = enabled));
    else {
      throw new SoapFault({
        code: 'Sender',
        subcode: 'ter:InvalidArgVal',
        subsubcode: 'ter:ServiceNotSupported',
        reason: `Unknown protocol ${name}`,
      });
    }
  }
  // All or nothing, like a device validating the whole request first.
  for (const c of changes) c();
  return '<tds:SetNetworkProtocolsResponse></tds:SetNetworkProtocolsResponse>';
};

const getHostname: Handler = (m) =>
  `<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP><tt:Name>${x(
    m.name.replace(/[^A-Za-z0-9-]/g, '-'),
  )}</tt:Name></tds:HostnameInformation></tds:GetHostnameResponse>`;

const getNetworkInterfaces: Handler = (m) => {
  const v6 = m.spec.ipv6 ?? [];
  const ipv6 =
    v6.length === 0
      ? ''
      : `<tt:IPv6><tt:Enabled>true</tt:Enabled><tt:Config><tt:AcceptRouterAdvert>false</tt:AcceptRouterAdvert>${v6
          .map((a) => `<tt:Manual><tt:Address>${x(a)}</tt:Address><tt:PrefixLength>64</tt:PrefixLength></tt:Manual>`)
          .join('')}<tt:DHCP>Off</tt:DHCP></tt:Config></tt:IPv6>`;
  return (
    '<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token="eth0"><tt:Enabled>true</tt:Enabled><tt:Info><tt:Name>eth0</tt:Name>' +
    `<tt:HwAddress>${x(m.mac)}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info><tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config><tt:Manual>` +
    `<tt:Address>${x(m.address)}</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:Manual><tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4>` +
    `${ipv6}</tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>`
  );
};

/** Operation table: `<service>:<operation>`. */
const HANDLERS: Record<string, Handler> = {
  'device:GetSystemDateAndTime': getSystemDateAndTime,
  'device:GetDeviceInformation': getDeviceInformation,
  'device:GetScopes': getScopes,
  'device:SetScopes': setScopes,
  'device:AddScopes': addScopes,
  'device:RemoveScopes': removeScopes,
  'device:GetGeoLocation': getGeoLocation,
  'device:GetNetworkProtocols': getNetworkProtocols,
  'device:SetNetworkProtocols': setNetworkProtocols,
  'device:GetHostname': getHostname,
  'device:GetNetworkInterfaces': getNetworkInterfaces,
  ...CAPABILITY_HANDLERS,
  ...MEDIA_HANDLERS,
  ...RECORDING_HANDLERS,
  ...SEARCH_HANDLERS,
};

/** Operations allowed without credentials (ONVIF access class PRE_AUTH). */
export const PRE_AUTH = new Set(['GetSystemDateAndTime']);

/** Runs an operation; throws SoapFault (ActionNotSupported for anything the device does not implement). */
export function runOperation(m: DeviceModel, r: OperationRequest): string {
  if (!m.services.some((s) => s.key === r.service)) throw new SoapFault(FAULTS.actionNotSupported);
  const handler = HANDLERS[`${r.service}:${r.operation}`];
  if (!handler) throw new SoapFault(FAULTS.actionNotSupported);
  return handler(m, r);
}
