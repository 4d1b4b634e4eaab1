/**
 * What a simulated device says it can do: GetServices (with versions and, on request, capabilities),
 * GetCapabilities (the ONVIF 1.x form) and every service's GetServiceCapabilities.
 */
import { type DeviceModel, faultOf, serviceUrl } from './device-model.js';
import type { Handler } from './operations.js';
import { SERVICE_NAMESPACES, type ServiceKey } from './vendor-styles.js';
import { escapeXml, textOf } from './xml.js';

const x = escapeXml;
const PREFIX: Record<ServiceKey, string> = {
  device: 'tds',
  media: 'trt',
  media2: 'tr2',
  events: 'tev',
  imaging: 'timg',
  deviceIO: 'tmd',
  recording: 'trc',
  search: 'tse',
  replay: 'trp',
};

const speaksIpv6 = (m: DeviceModel): boolean => (m.spec.ipv6?.length ?? 0) > 0;

function deviceCapabilities(m: DeviceModel, prefix: string): string {
  const geo = m.spec.geo ? ' GeoLocationEntries="1"' : '';
  return (
    `<${prefix}:Network IPFilter="false" ZeroConfiguration="false" IPVersion6="${speaksIpv6(m)}" DynDNS="false" NTP="1" HostnameFromDHCP="false"/>` +
    `<${prefix}:Security TLS1.2="false" OnboardKeyGeneration="false" AccessPolicyConfig="false" DefaultAccessPolicy="true" Dot1X="false" ` +
    `RemoteUserHandling="false" X.509Token="false" SAMLToken="false" KerberosToken="false" UsernameToken="true" HttpDigest="${
      m.spec.auth?.mode === 'digest-only' || m.spec.auth?.mode === 'both' ? 'true' : 'false'
    }" RELToken="false" MaxUsers="16"/>` +
    `<${prefix}:System DiscoveryResolve="false" DiscoveryBye="true" RemoteDiscovery="false" SystemBackup="false" ` +
    `SystemLogging="false" FirmwareUpgrade="false" HttpFirmwareUpgrade="true" HttpSystemBackup="false" ` +
    `HttpSystemLogging="false" HttpSupportInformation="false"${geo}/>`
  );
}

function media2Capabilities(m: DeviceModel): string {
  return (
    `<tr2:Capabilities SnapshotUri="true" Rotation="false" VideoSourceMode="false" OSD="true" TemporaryOSDText="false" Mask="true" SourceMask="false">` +
    `<tr2:ProfileCapabilities MaximumNumberOfProfiles="${m.sources.length * 2 + 2}" ConfigurationsSupported="VideoSource VideoEncoder"/>` +
    '<tr2:StreamingCapabilities RTSPStreaming="true" RTPMulticast="false" RTP_RTSP_TCP="true" NonAggregateControl="false" AutoStartMulticast="false"/>' +
    '</tr2:Capabilities>'
  );
}

function recordingCapabilities(m: DeviceModel): string {
  return `<trc:Capabilities DynamicRecordings="false" DynamicTracks="false" Encoding="H264" MaxRate="16384" MaxTotalRate="65536" MaxRecordings="${m.sources.length}" MaxRecordingJobs="${m.sources.length}" Options="true" MetadataRecording="false"/>`;
}

function serviceCapabilities(m: DeviceModel, key: ServiceKey): string {
  switch (key) {
    case 'device':
      return `<tds:Capabilities>${deviceCapabilities(m, 'tds')}</tds:Capabilities>`;
    case 'media2':
      return media2Capabilities(m);
    case 'recording':
      return recordingCapabilities(m);
    case 'media':
      return '<trt:Capabilities SnapshotUri="true" Rotation="false" VideoSourceMode="false" OSD="true"><trt:ProfileCapabilities MaximumNumberOfProfiles="8"/><trt:StreamingCapabilities RTPMulticast="false" RTP_TCP="true" RTP_RTSP_TCP="true" NonAggregateControl="false" NoRTSPStreaming="false"/></trt:Capabilities>';
    default: {
      const p = PREFIX[key];
      return `<${p}:Capabilities/>`;
    }
  }
}

const VERSIONS: Record<ServiceKey, [number, number]> = {
  device: [16, 12],
  media: [2, 60],
  media2: [17, 12],
  events: [2, 60],
  imaging: [16, 6],
  deviceIO: [2, 61],
  recording: [2, 50],
  search: [2, 42],
  replay: [2, 21],
};

const getServices: Handler = (m, r) => {
  const withCaps = /true/i.test(textOf(r.body, 'IncludeCapability') ?? 'false');
  const single = faultOf(m.faults, 'single-service') !== undefined;
  const list = single ? m.services.slice(0, 1) : m.services;
  const items = list.map((s) => {
    const [major, minor] = VERSIONS[s.key];
    return (
      `<tds:Service><tds:Namespace>${SERVICE_NAMESPACES[s.key]}</tds:Namespace><tds:XAddr>${x(m.baseUrl + s.path)}</tds:XAddr>` +
      (withCaps ? `<tds:Capabilities>${serviceCapabilities(m, s.key)}</tds:Capabilities>` : '') +
      `<tds:Version><tt:Major>${major}</tt:Major><tt:Minor>${minor}</tt:Minor></tds:Version></tds:Service>`
    );
  });
  return `<tds:GetServicesResponse>${items.join('')}</tds:GetServicesResponse>`;
};

const getServiceCapabilities: Handler = (m, r) => {
  const p = PREFIX[r.service];
  return `<${p}:GetServiceCapabilitiesResponse>${serviceCapabilities(m, r.service)}</${p}:GetServiceCapabilitiesResponse>`;
};

const getCapabilities: Handler = (m) => {
  const url = (k: ServiceKey): string => x(serviceUrl(m, k) ?? '');
  const rec = serviceUrl(m, 'recording');
  return (
    '<tds:GetCapabilitiesResponse><tds:Capabilities>' +
    `<tt:Device><tt:XAddr>${x(m.xaddr)}</tt:XAddr><tt:Network><tt:IPFilter>false</tt:IPFilter><tt:ZeroConfiguration>false</tt:ZeroConfiguration>` +
    `<tt:IPVersion6>${speaksIpv6(m)}</tt:IPVersion6><tt:DynDNS>false</tt:DynDNS></tt:Network><tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve>` +
    '<tt:DiscoveryBye>true</tt:DiscoveryBye><tt:RemoteDiscovery>false</tt:RemoteDiscovery><tt:SystemBackup>false</tt:SystemBackup>' +
    '<tt:SystemLogging>false</tt:SystemLogging><tt:FirmwareUpgrade>false</tt:FirmwareUpgrade><tt:SupportedVersions><tt:Major>16</tt:Major>' +
    '<tt:Minor>12</tt:Minor></tt:SupportedVersions></tt:System><tt:IO><tt:InputConnectors>0</tt:InputConnectors><tt:RelayOutputs>0</tt:RelayOutputs></tt:IO>' +
    '<tt:Security><tt:TLS1.1>false</tt:TLS1.1><tt:TLS1.2>false</tt:TLS1.2><tt:OnboardKeyGeneration>false</tt:OnboardKeyGeneration>' +
    '<tt:AccessPolicyConfig>false</tt:AccessPolicyConfig><tt:X.509Token>false</tt:X.509Token><tt:SAMLToken>false</tt:SAMLToken>' +
    '<tt:KerberosToken>false</tt:KerberosToken><tt:RELToken>false</tt:RELToken></tt:Security></tt:Device>' +
    `<tt:Events><tt:XAddr>${url('events')}</tt:XAddr><tt:WSSubscriptionPolicySupport>true</tt:WSSubscriptionPolicySupport>` +
    '<tt:WSPullPointSupport>true</tt:WSPullPointSupport><tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>' +
    `<tt:Imaging><tt:XAddr>${url('imaging')}</tt:XAddr></tt:Imaging>` +
    `<tt:Media><tt:XAddr>${url('media')}</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>` +
    '<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>' +
    `<tt:Extension><tt:DeviceIO><tt:XAddr>${url('deviceIO')}</tt:XAddr><tt:VideoSources>${m.sources.length}</tt:VideoSources>` +
    '<tt:VideoOutputs>0</tt:VideoOutputs><tt:AudioSources>0</tt:AudioSources><tt:AudioOutputs>0</tt:AudioOutputs><tt:RelayOutputs>0</tt:RelayOutputs></tt:DeviceIO>' +
    (rec
      ? `<tt:Recording><tt:XAddr>${x(rec)}</tt:XAddr><tt:ReceiverSource>false</tt:ReceiverSource><tt:MediaProfileSource>true</tt:MediaProfileSource>` +
        '<tt:DynamicRecordings>false</tt:DynamicRecordings><tt:DynamicTracks>false</tt:DynamicTracks><tt:MaxStringLength>64</tt:MaxStringLength></tt:Recording>' +
        `<tt:Search><tt:XAddr>${url('search')}</tt:XAddr><tt:MetadataSearch>false</tt:MetadataSearch></tt:Search>` +
        `<tt:Replay><tt:XAddr>${url('replay')}</tt:XAddr></tt:Replay>`
      : '') +
    '</tt:Extension></tds:Capabilities></tds:GetCapabilitiesResponse>'
  );
};

/** `<service>:<operation>` → handler, merged into the device's operation table (operations.ts). */
export const CAPABILITY_HANDLERS: Record<string, Handler> = {
  'device:GetServices': getServices,
  'device:GetCapabilities': getCapabilities,
  'device:GetServiceCapabilities': getServiceCapabilities,
  'media:GetServiceCapabilities': getServiceCapabilities,
  'media2:GetServiceCapabilities': getServiceCapabilities,
  'deviceIO:GetServiceCapabilities': getServiceCapabilities,
  'recording:GetServiceCapabilities': getServiceCapabilities,
  'search:GetServiceCapabilities': getServiceCapabilities,
  'replay:GetServiceCapabilities': getServiceCapabilities,
  'events:GetServiceCapabilities': getServiceCapabilities,
  'imaging:GetServiceCapabilities': getServiceCapabilities,
};
