import { type DeviceModel, deviceNow, faultOf, recorded, type SimMask, serviceUrl } from './device-model.js';
import { floodScopes } from './faults.js';
import { recordingConfigurationXml, rtspUrl } from './recording-xml.js';
import { SEARCH_HANDLERS } from './search-operations.js';
import { FAULTS, SoapFault } from './soap.js';
import { SERVICE_NAMESPACES, type ServiceKey } from './vendor-styles.js';
import { attrOf, elements, escapeXml, textOf, textsOf } from './xml.js';

export interface OperationRequest {
  operation: string;
  service: ServiceKey;
  /** The operation element's XML (the SOAP Body content). */
  body: string;
}

export type Handler = (m: DeviceModel, r: OperationRequest) => string;

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

/** Sources that have profiles; the token-mismatch fault leaves the first NVR channel without any (onvif #369). */
function profiledSources(m: DeviceModel) {
  return faultOf(m.faults, 'token-mismatch') ? m.sources.slice(1) : m.sources;
}

const RES = { main: [1920, 1080], sub: [640, 360] } as const;

function vscXml(tagPrefix: string, tag: string, s: DeviceModel['sources'][number]): string {
  return (
    `<${tagPrefix}:${tag} token="${x(s.vscToken)}"><tt:Name>VideoSourceConfig_${s.index + 1}</tt:Name><tt:UseCount>2</tt:UseCount>` +
    `<tt:SourceToken>${x(s.token)}</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"></tt:Bounds></${tagPrefix}:${tag}>`
  );
}

const getProfilesMedia1: Handler = (m) => {
  const items = profiledSources(m).flatMap((s) =>
    (['main', 'sub'] as const).map((st) => {
      const [w, h] = RES[st];
      return (
        `<trt:Profiles token="${x(m.style.profileToken(s.index, st))}" fixed="true"><tt:Name>${st === 'main' ? 'mainStream' : 'subStream'}</tt:Name>` +
        vscXml('tt', 'VideoSourceConfiguration', s) +
        `<tt:VideoEncoderConfiguration token="VideoEncoder_${s.index + 1}_${st}"><tt:Name>VideoEncoder_${s.index + 1}_${st}</tt:Name>` +
        `<tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>${w}</tt:Width><tt:Height>${h}</tt:Height></tt:Resolution>` +
        '<tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval>' +
        `<tt:BitrateLimit>${st === 'main' ? 4096 : 512}</tt:BitrateLimit></tt:RateControl><tt:H264><tt:GovLength>50</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264>` +
        '<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port><tt:TTL>1</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>' +
        '<tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration></trt:Profiles>'
      );
    }),
  );
  return `<trt:GetProfilesResponse>${items.join('')}</trt:GetProfilesResponse>`;
};

const getProfilesMedia2: Handler = (m) => {
  const items = profiledSources(m).flatMap((s) =>
    (['main', 'sub'] as const).map((st) => {
      const [w, h] = RES[st];
      return (
        `<tr2:Profiles token="${x(m.style.profileToken(s.index, st))}" fixed="true"><tr2:Name>${st === 'main' ? 'mainStream' : 'subStream'}</tr2:Name><tr2:Configurations>` +
        vscXml('tr2', 'VideoSource', s) +
        `<tr2:VideoEncoder token="VideoEncoder_${s.index + 1}_${st}" GovLength="50" Profile="Main"><tt:Name>VideoEncoder_${s.index + 1}_${st}</tt:Name>` +
        `<tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>${w}</tt:Width><tt:Height>${h}</tt:Height></tt:Resolution>` +
        `<tt:RateControl ConstantBitRate="false"><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:BitrateLimit>${st === 'main' ? 4096 : 512}</tt:BitrateLimit></tt:RateControl>` +
        '<tt:Quality>5</tt:Quality></tr2:VideoEncoder></tr2:Configurations></tr2:Profiles>'
      );
    }),
  );
  return `<tr2:GetProfilesResponse>${items.join('')}</tr2:GetProfilesResponse>`;
};

const getVideoSources: Handler = (m, r) => {
  const p = r.service === 'deviceIO' ? 'tmd' : 'trt';
  const items = m.sources.map(
    (s) =>
      `<${p}:VideoSources token="${x(s.token)}"><tt:Framerate>25</tt:Framerate><tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution></${p}:VideoSources>`,
  );
  return `<${p}:GetVideoSourcesResponse>${items.join('')}</${p}:GetVideoSourcesResponse>`;
};

const getVideoSourceConfigurations: Handler = (m, r) => {
  const p = r.service === 'media2' ? 'tr2' : 'trt';
  const wanted = textOf(r.body, 'ConfigurationToken');
  const items = m.sources.filter((s) => !wanted || s.vscToken === wanted).map((s) => vscXml(p, 'Configurations', s));
  return `<${p}:GetVideoSourceConfigurationsResponse>${items.join('')}</${p}:GetVideoSourceConfigurationsResponse>`;
};

const getStreamUri: Handler = (m, r) => {
  const profile = textOf(r.body, 'ProfileToken') ?? m.style.profileToken(0, 'main');
  if (r.service === 'media2') {
    return `<tr2:GetStreamUriResponse><tr2:Uri>${x(rtspUrl(m, profile))}</tr2:Uri></tr2:GetStreamUriResponse>`;
  }
  return (
    `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${x(rtspUrl(m, profile))}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
    '<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT60S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>'
  );
};

const getRecordings: Handler = (m) => {
  const items = recorded(m).map(
    (s) =>
      `<trc:RecordingItem><tt:RecordingToken>${x(s.recordingToken)}</tt:RecordingToken><tt:Configuration>${recordingConfigurationXml(m, s, s.recordingToken)}</tt:Configuration>` +
      '<tt:Tracks>' +
      (['Video', 'Audio', 'Metadata'] as const)
        .map(
          (t) =>
            `<tt:Track><tt:TrackToken>${t === 'Metadata' ? 'META' : t.toUpperCase()}001</tt:TrackToken><tt:Configuration><tt:TrackType>${t}</tt:TrackType><tt:Description>${t} track</tt:Description></tt:Configuration></tt:Track>`,
        )
        .join('') +
      '</tt:Tracks></trc:RecordingItem>',
  );
  return `<trc:GetRecordingsResponse>${items.join('')}</trc:GetRecordingsResponse>`;
};

function recordingByToken(m: DeviceModel, body: string) {
  const token = textOf(body, 'RecordingToken') ?? '';
  const s = recorded(m).find((r) => r.recordingToken === token);
  if (!s) throw new SoapFault(FAULTS.noRecording);
  return s;
}

const getRecordingConfiguration: Handler = (m, r) => {
  const s = recordingByToken(m, r.body);
  return `<trc:GetRecordingConfigurationResponse><trc:RecordingConfiguration>${recordingConfigurationXml(m, s, s.recordingToken)}</trc:RecordingConfiguration></trc:GetRecordingConfigurationResponse>`;
};

const setRecordingConfiguration: Handler = (m, r) => {
  const s = recordingByToken(m, r.body);
  const retention = textOf(r.body, 'MaximumRetentionTime');
  if (retention !== undefined) {
    if (!/^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(retention)) {
      throw new SoapFault({
        code: 'Sender',
        subcode: 'ter:InvalidArgVal',
        subsubcode: 'ter:BadConfiguration',
        reason: 'Bad duration',
      });
    }
    m.state.retention[s.recordingToken] = retention;
  }
  return '<trc:SetRecordingConfigurationResponse></trc:SetRecordingConfigurationResponse>';
};

const getRecordingJobs: Handler = (m) => {
  const items = recorded(m).map(
    (s) =>
      `<trc:JobItem><tt:JobToken>${x(s.jobToken)}</tt:JobToken><tt:JobConfiguration><tt:RecordingToken>${x(s.recordingToken)}</tt:RecordingToken>` +
      `<tt:Mode>${x(m.state.recordingJobModes[s.jobToken] ?? 'Active')}</tt:Mode><tt:Priority>1</tt:Priority>` +
      `<tt:Source><tt:SourceToken Type="http://www.onvif.org/ver10/schema/Profile"><tt:Token>${x(m.style.profileToken(s.index, 'main'))}</tt:Token></tt:SourceToken>` +
      '<tt:AutoCreateReceiver>false</tt:AutoCreateReceiver><tt:Tracks><tt:SourceTag>VIDEO001</tt:SourceTag><tt:Destination>VIDEO001</tt:Destination></tt:Tracks></tt:Source>' +
      '</tt:JobConfiguration></trc:JobItem>',
  );
  return `<trc:GetRecordingJobsResponse>${items.join('')}</trc:GetRecordingJobsResponse>`;
};

const setRecordingJobMode: Handler = (m, r) => {
  const job = textOf(r.body, 'JobToken') ?? '';
  const mode = textOf(r.body, 'Mode') ?? '';
  if (!(job in m.state.recordingJobModes)) {
    throw new SoapFault({
      code: 'Sender',
      subcode: 'ter:InvalidArgVal',
      subsubcode: 'ter:NoRecordingJob',
      reason: 'No such recording job',
    });
  }
  if (mode !== 'Active' && mode !== 'Idle') {
    throw new SoapFault({
      code: 'Sender',
      subcode: 'ter:InvalidArgVal',
      subsubcode: 'ter:BadMode',
      reason: 'Mode must be Active or Idle',
    });
  }
  m.state.recordingJobModes[job] = mode;
  return '<trc:SetRecordingJobModeResponse></trc:SetRecordingJobModeResponse>';
};

const getRecordingJobState: Handler = (m, r) => {
  const job = textOf(r.body, 'JobToken') ?? '';
  const mode = m.state.recordingJobModes[job];
  if (!mode) {
    throw new SoapFault({
      code: 'Sender',
      subcode: 'ter:InvalidArgVal',
      subsubcode: 'ter:NoRecordingJob',
      reason: 'No such recording job',
    });
  }
  const s = recorded(m).find((q) => q.jobToken === job);
  return (
    `<trc:GetRecordingJobStateResponse><trc:State><tt:RecordingToken>${x(s?.recordingToken ?? '')}</tt:RecordingToken>` +
    `<tt:State>${mode}</tt:State></trc:State></trc:GetRecordingJobStateResponse>`
  );
};

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

const MAX_MASKS = 4;
const MAX_POINTS = 4;

function masks(m: DeviceModel): SimMask[] {
  return m.state.masks as SimMask[];
}

function maskXml(k: SimMask): string {
  return (
    `<tr2:Masks token="${x(k.token)}"><tr2:ConfigurationToken>${x(k.configurationToken)}</tr2:ConfigurationToken><tr2:Polygon>` +
    k.points.map((p) => `<tt:Point x="${p.x}" y="${p.y}"/>`).join('') +
    `</tr2:Polygon><tr2:Type>${x(k.type)}</tr2:Type>${k.color ?? ''}<tr2:Enabled>${k.enabled}</tr2:Enabled></tr2:Masks>`
  );
}

function parseMask(m: DeviceModel, xml: string, token: string): SimMask {
  const configurationToken = textOf(xml, 'ConfigurationToken') ?? '';
  if (!m.sources.some((s) => s.vscToken === configurationToken)) throw new SoapFault(FAULTS.noConfig);
  const polygon = elements(xml, 'Polygon')[0]?.inner ?? '';
  const points = elements(polygon, 'Point').map((p) => ({
    x: Number(attrOf(p.attrs, 'x')),
    y: Number(attrOf(p.attrs, 'y')),
  }));
  const bad = (reason: string): SoapFault =>
    new SoapFault({ code: 'Sender', subcode: 'ter:InvalidArgVal', subsubcode: 'ter:ConfigModify', reason });
  if (points.length < 3 || points.length > MAX_POINTS) throw bad(`A mask needs 3 to ${MAX_POINTS} points`);
  if (points.some((p) => !Number.isFinite(p.x) || !Number.isFinite(p.y) || Math.abs(p.x) > 1 || Math.abs(p.y) > 1)) {
    throw bad('Mask points must lie in [-1, 1]');
  }
  const type = textOf(xml, 'Type') ?? '';
  if (!['Color', 'Pixelated', 'Blurred'].includes(type)) throw bad('Type must be Color, Pixelated or Blurred');
  const enabledText = textOf(xml, 'Enabled') ?? 'true';
  const colorEl = elements(xml, 'Color')[0];
  const mask: SimMask = {
    token,
    configurationToken,
    type,
    enabled: enabledText === 'true',
    points,
  };
  if (colorEl)
    mask.color = `<tr2:Color${colorEl.attrs.replace(/\s+/g, ' ').replace(/\s$/, '')}/>`.replace('<tr2:Color/>', '');
  return mask;
}

const getMasks: Handler = (m, r) => {
  const token = textOf(r.body, 'Token');
  const cfg = textOf(r.body, 'ConfigurationToken');
  const items = masks(m).filter((k) => (!token || k.token === token) && (!cfg || k.configurationToken === cfg));
  return `<tr2:GetMasksResponse>${items.map(maskXml).join('')}</tr2:GetMasksResponse>`;
};

const createMask: Handler = (m, r) => {
  const maskEl = elements(r.body, 'Mask')[0];
  if (!maskEl) throw new SoapFault({ code: 'Sender', subcode: 'ter:InvalidArgVal', reason: 'No Mask given' });
  if (masks(m).length >= MAX_MASKS) {
    throw new SoapFault({
      code: 'Receiver',
      subcode: 'ter:Action',
      subsubcode: 'ter:MaxMasks',
      reason: 'Too many masks',
    });
  }
  const mask = parseMask(m, maskEl.inner, `Mask_${m.nextMaskId}`);
  m.nextMaskId += 1;
  masks(m).push(mask);
  return `<tr2:CreateMaskResponse><tr2:Token>${x(mask.token)}</tr2:Token></tr2:CreateMaskResponse>`;
};

const setMask: Handler = (m, r) => {
  const maskEl = elements(r.body, 'Mask')[0];
  const token = maskEl ? attrOf(maskEl.attrs, 'token') : undefined;
  const i = masks(m).findIndex((k) => k.token === token);
  if (!maskEl || token === undefined || i < 0) throw new SoapFault(FAULTS.noConfig);
  masks(m)[i] = parseMask(m, maskEl.inner, token);
  return '<tr2:SetMaskResponse></tr2:SetMaskResponse>';
};

const deleteMask: Handler = (m, r) => {
  const token = textOf(r.body, 'Token') ?? '';
  const i = masks(m).findIndex((k) => k.token === token);
  if (i < 0) throw new SoapFault(FAULTS.noConfig);
  masks(m).splice(i, 1);
  return '<tr2:DeleteMaskResponse></tr2:DeleteMaskResponse>';
};

const getMaskOptions: Handler = (m, r) => {
  const cfg = textOf(r.body, 'ConfigurationToken') ?? '';
  if (!m.sources.some((s) => s.vscToken === cfg)) throw new SoapFault(FAULTS.noConfig);
  return (
    `<tr2:GetMaskOptionsResponse><tr2:Options RectangleOnly="false" SingleColorOnly="true"><tr2:MaxMasks>${MAX_MASKS}</tr2:MaxMasks>` +
    `<tr2:MaxPoints>${MAX_POINTS}</tr2:MaxPoints><tr2:Types>Color</tr2:Types><tr2:Color><tt:ColorList X="16" Y="128" Z="128" Colorspace="http://www.onvif.org/ver10/colorspace/YCbCr"/></tr2:Color>` +
    '</tr2:Options></tr2:GetMaskOptionsResponse>'
  );
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
  'device:GetServices': getServices,
  'device:GetCapabilities': getCapabilities,
  'device:GetServiceCapabilities': getServiceCapabilities,
  'device:GetNetworkProtocols': getNetworkProtocols,
  'device:SetNetworkProtocols': setNetworkProtocols,
  'device:GetHostname': getHostname,
  'device:GetNetworkInterfaces': getNetworkInterfaces,
  'media:GetProfiles': getProfilesMedia1,
  'media:GetVideoSources': getVideoSources,
  'media:GetVideoSourceConfigurations': getVideoSourceConfigurations,
  'media:GetStreamUri': getStreamUri,
  'media:GetServiceCapabilities': getServiceCapabilities,
  'media2:GetProfiles': getProfilesMedia2,
  'media2:GetVideoSourceConfigurations': getVideoSourceConfigurations,
  'media2:GetStreamUri': getStreamUri,
  'media2:GetServiceCapabilities': getServiceCapabilities,
  'media2:GetMasks': getMasks,
  'media2:CreateMask': createMask,
  'media2:SetMask': setMask,
  'media2:DeleteMask': deleteMask,
  'media2:GetMaskOptions': getMaskOptions,
  'deviceIO:GetVideoSources': getVideoSources,
  'deviceIO:GetServiceCapabilities': getServiceCapabilities,
  'recording:GetRecordings': getRecordings,
  'recording:GetRecordingConfiguration': getRecordingConfiguration,
  'recording:SetRecordingConfiguration': setRecordingConfiguration,
  'recording:GetRecordingJobs': getRecordingJobs,
  'recording:SetRecordingJobMode': setRecordingJobMode,
  'recording:GetRecordingJobState': getRecordingJobState,
  'recording:GetServiceCapabilities': getServiceCapabilities,
  'search:GetServiceCapabilities': getServiceCapabilities,
  ...SEARCH_HANDLERS,
  'replay:GetServiceCapabilities': getServiceCapabilities,
  'events:GetServiceCapabilities': getServiceCapabilities,
  'imaging:GetServiceCapabilities': getServiceCapabilities,
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
