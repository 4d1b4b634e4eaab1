import type { VendorStyle } from './index.js';

/** Namespaces the simulator speaks. */
export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  soapEnc: 'http://www.w3.org/2003/05/soap-encoding',
  tt: 'http://www.onvif.org/ver10/schema',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tr2: 'http://www.onvif.org/ver20/media/wsdl',
  trc: 'http://www.onvif.org/ver10/recording/wsdl',
  tse: 'http://www.onvif.org/ver10/search/wsdl',
  trp: 'http://www.onvif.org/ver10/replay/wsdl',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  timg: 'http://www.onvif.org/ver20/imaging/wsdl',
  tmd: 'http://www.onvif.org/ver10/deviceIO/wsdl',
  tptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  ter: 'http://www.onvif.org/ver10/error',
  dn: 'http://www.onvif.org/ver10/network/wsdl',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wsa2004: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsa2005: 'http://www.w3.org/2005/08/addressing',
  wsd2005: 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
  wsd2009: 'http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01',
} as const;

/** ONVIF services a device may advertise, keyed by the short name used in service maps. */
export type ServiceKey =
  | 'device'
  | 'media'
  | 'media2'
  | 'events'
  | 'imaging'
  | 'deviceIO'
  | 'recording'
  | 'search'
  | 'replay';

export const SERVICE_NAMESPACES: Record<ServiceKey, string> = {
  device: NS.tds,
  media: NS.trt,
  media2: NS.tr2,
  events: NS.tev,
  imaging: NS.timg,
  deviceIO: NS.tmd,
  recording: NS.trc,
  search: NS.tse,
  replay: NS.trp,
};

export interface Identity {
  manufacturer: string;
  model: string;
  firmware: string;
  serial: string;
  hardwareId: string;
}

/**
 * What differs between vendors on the wire, taken from the real captures in test/fixtures/onvif-real
 * (see SOURCES.md there): envelope prefix and namespace noise, whitespace habits, discovery namespace and
 * prefixes, scope set with factory placeholders, service paths, token naming and identity strings.
 */
export interface StyleDefinition {
  style: VendorStyle;
  /** SOAP envelope prefix: SOAP-ENV (gSOAP: Axis, Milesight, Bosch, Uniview), env (Hikvision), s (Dahua). */
  envPrefix: string;
  /** Extra xmlns declarations copied from the vendor's envelope (noise that parsers must tolerate). */
  extraNamespaces: Record<string, string>;
  /** Pretty-printed (newlines + indentation) or one line (Bosch). */
  pretty: boolean;
  /** Discovery answer namespace: always 2009/01, or the namespace of the probe. */
  discovery: '2005/04' | '2009/01' | 'as-probe';
  /** Prefixes used in discovery answers. */
  discoPrefix: string;
  addressingPrefix: string;
  /** Splits Scopes and XAddrs over several lines (Axis M2025-LE capture). */
  multilineDiscovery: boolean;
  /** EndpointReference written as `uuid:` without `urn:` (Amcrest capture). */
  bareUuid: boolean;
  /** Also advertise https and 169.254 link-local XAddrs next to the right one (Axis capture). */
  extraXAddrs: boolean;
  types: string;
  /** Factory scopes; `{hardware}` and `{name}` are filled from identity, `{mac}` from the MAC. */
  scopes: { fixed: string[]; configurable: string[] };
  /** Path of every non-device service, by service. */
  servicePaths: Partial<Record<ServiceKey, string>>;
  camera: Identity;
  nvr: Identity;
  /** Video source tokens: camera default, and NVR channel n (1-based). */
  cameraSourceToken: string;
  nvrSourceToken: (n: number) => string;
  profileToken: (source: number, stream: 'main' | 'sub') => string;
  recordingToken: (n: number) => string;
  defaultRetention: string;
  timeZone: string;
  /** Bosch sends no LocalDateTime. */
  localDateTime: boolean;
  /** Profile G on edge cameras (Axis, Hikvision-OEM, Milesight advertise recording). */
  cameraRecording: boolean;
}

const PROFILE_T = 'onvif://www.onvif.org/Profile/T';
const PROFILE_S = 'onvif://www.onvif.org/Profile/Streaming';
const PROFILE_G = 'onvif://www.onvif.org/Profile/G';

const GSOAP_NOISE: Record<string, string> = {
  'SOAP-ENC': NS.soapEnc,
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xsd: 'http://www.w3.org/2001/XMLSchema',
  wsa5: NS.wsa2005,
  xop: 'http://www.w3.org/2004/08/xop/include',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  wstop: 'http://docs.oasis-open.org/wsn/t-1',
  tns1: 'http://www.onvif.org/ver10/topics',
};

const common = {
  types: 'dn:NetworkVideoTransmitter tds:Device',
  localDateTime: true,
  defaultRetention: 'PT0S',
};

export const STYLES: Record<VendorStyle, StyleDefinition> = {
  axis: {
    ...common,
    style: 'axis',
    envPrefix: 'SOAP-ENV',
    extraNamespaces: {
      ...GSOAP_NOISE,
      c14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
      ds: 'http://www.w3.org/2000/09/xmldsig#',
      acert: 'http://www.axis.com/vapix/ws/cert',
      aa: 'http://www.axis.com/vapix/ws/action1',
      aev: 'http://www.axis.com/vapix/ws/event1',
      tnsaxis: 'http://www.axis.com/2009/event/topics',
    },
    pretty: true,
    discovery: 'as-probe',
    discoPrefix: 'd',
    addressingPrefix: 'wsa',
    multilineDiscovery: true,
    bareUuid: false,
    extraXAddrs: true,
    types: 'tds:Device dn:NetworkVideoTransmitter',
    scopes: {
      fixed: [PROFILE_S, PROFILE_G, PROFILE_T, 'onvif://www.onvif.org/hardware/{hardware}'],
      configurable: ['onvif://www.onvif.org/name/{name}', 'onvif://www.onvif.org/location/'],
    },
    servicePaths: {
      media: '/onvif/services',
      media2: '/onvif/services',
      events: '/onvif/services',
      imaging: '/onvif/services',
      deviceIO: '/onvif/services',
      recording: '/onvif/services',
      search: '/onvif/services',
      replay: '/onvif/services',
    },
    camera: {
      manufacturer: 'AXIS',
      model: 'M2025-LE',
      firmware: '9.80.3.13',
      serial: 'B8A44F26437D',
      hardwareId: '727',
    },
    nvr: { manufacturer: 'AXIS', model: 'S3008', firmware: '10.12.114', serial: 'B8A44F5E0C21', hardwareId: '9A1' },
    cameraSourceToken: '0',
    nvrSourceToken: (n) => String(n - 1),
    profileToken: (s, st) => `profile_${s + 1}_${st === 'main' ? 'h264' : 'jpeg'}`,
    recordingToken: (n) => `SD_DISK_20200422_12350${n}_A2388AB${n}`,
    defaultRetention: 'PT1H',
    timeZone: 'BRT3',
    cameraRecording: true,
  },
  hikvision: {
    ...common,
    style: 'hikvision',
    envPrefix: 'env',
    extraNamespaces: {
      soapenc: NS.soapEnc,
      xsi: 'http://www.w3.org/2001/XMLSchema-instance',
      xs: 'http://www.w3.org/2001/XMLSchema',
      wsadis: NS.wsa2004,
      wsa: NS.wsa2005,
      tnsn: 'http://www.eventextension.com/2011/event/topics',
      extwsd: 'http://www.onvifext.com/onvif/ext/ver10/wsdl',
      extxsd: 'http://www.onvifext.com/onvif/ext/ver10/schema',
    },
    pretty: true,
    discovery: 'as-probe',
    discoPrefix: 'wsdd',
    addressingPrefix: 'wsadis',
    multilineDiscovery: false,
    bareUuid: false,
    extraXAddrs: false,
    scopes: {
      fixed: [
        'onvif://www.onvif.org/type/video_encoder',
        'onvif://www.onvif.org/type/Network_Video_Transmitter',
        'onvif://www.onvif.org/hardware/{hardware}',
        PROFILE_S,
        PROFILE_G,
        PROFILE_T,
      ],
      configurable: [
        'onvif://www.onvif.org/location/city/hangzhou',
        'onvif://www.onvif.org/name/{name}',
        'onvif://www.onvif.org/MAC/{mac}',
      ],
    },
    servicePaths: {
      media: '/onvif/Media',
      media2: '/onvif/Media2',
      events: '/onvif/Events',
      imaging: '/onvif/Imaging',
      deviceIO: '/onvif/DeviceIO',
      recording: '/onvif/Recording',
      search: '/onvif/SearchRecording',
      replay: '/onvif/Replay',
    },
    // White-label Hikvision OEM capture (ENP1A14-IR_25X): Manufacturer "ONVIF", HardwareId "88".
    camera: {
      manufacturer: 'ONVIF',
      model: 'ENP1A14-IR/25X',
      firmware: 'V5.5.3 build 180822',
      serial: 'ENP1A14-IR/25X20190430AAWRD14878498W',
      hardwareId: '88',
    },
    nvr: {
      manufacturer: 'HIKVISION',
      model: 'DS-7608NI-K2',
      firmware: 'V4.30.085 build 200916',
      serial: 'DS-7608NI-K20820200918CCRRE12345678WCVU',
      hardwareId: '88',
    },
    cameraSourceToken: 'VideoSource_1',
    nvrSourceToken: (n) => `VideoSource_${n}`,
    profileToken: (s, st) => `Profile_${s + 1}0${st === 'main' ? 1 : 2}`,
    recordingToken: (n) => `OnvifRecordingToken_${n}`,
    timeZone: 'EST+5:00:00EDT04:00:00,M3.5.0/02:00:00,M11.1.0/02:00:00',
    cameraRecording: true,
  },
  dahua: {
    ...common,
    style: 'dahua',
    envPrefix: 's',
    extraNamespaces: { sc: NS.soapEnc, a: NS.wsa2004 },
    pretty: true,
    discovery: 'as-probe',
    discoPrefix: 'd',
    addressingPrefix: 'a',
    multilineDiscovery: true,
    bareUuid: true,
    extraXAddrs: false,
    scopes: {
      fixed: [
        'onvif://www.onvif.org/hardware/{hardware}',
        PROFILE_S,
        'onvif://www.onvif.org/type/Network_Video_Transmitter',
        'onvif://www.onvif.org/extension/unique_identifier',
        PROFILE_T,
      ],
      configurable: ['onvif://www.onvif.org/location/country/china', 'onvif://www.onvif.org/name/{name}'],
    },
    servicePaths: {
      media: '/onvif/media_service',
      media2: '/onvif/media2_service',
      events: '/onvif/event_service',
      imaging: '/onvif/imaging_service',
      deviceIO: '/onvif/deviceIO_service',
      recording: '/onvif/recording_service',
      search: '/onvif/search_service',
      replay: '/onvif/replay_service',
    },
    camera: {
      manufacturer: 'Amcrest',
      model: 'IP5M-B1186E',
      firmware: '2.800.00AC006.0.R, Build Date 2021-06-17',
      serial: '9B02A1EPAZ2C4B8',
      hardwareId: '1.00',
    },
    nvr: {
      manufacturer: 'Dahua',
      model: 'NVR4108HS-8P-4KS2',
      firmware: '4.001.0000000.3.R',
      serial: '6J0A1B2PAZ00123',
      hardwareId: '1.00',
    },
    cameraSourceToken: '000',
    nvrSourceToken: (n) => String(n - 1).padStart(3, '0'),
    profileToken: (s, st) => `MediaProfile${String(s).padStart(3, '0')}${st === 'main' ? '00' : '01'}`,
    recordingToken: (n) => `RecordMediaProfile${String(n - 1).padStart(3, '0')}`,
    timeZone: 'CST-8:00:00',
    cameraRecording: false,
  },
  bosch: {
    ...common,
    style: 'bosch',
    envPrefix: 'SOAP-ENV',
    extraNamespaces: { 'SOAP-ENC': NS.soapEnc },
    pretty: false,
    discovery: 'as-probe',
    discoPrefix: 'wsdd',
    addressingPrefix: 'wsa',
    multilineDiscovery: false,
    bareUuid: false,
    extraXAddrs: false,
    scopes: {
      fixed: [
        PROFILE_S,
        PROFILE_G,
        PROFILE_T,
        'onvif://www.onvif.org/hardware/{hardware}',
        'onvif://www.onvif.org/type/video_encoder',
      ],
      configurable: ['onvif://www.onvif.org/name/{name}', 'onvif://www.onvif.org/location/'],
    },
    // Bosch serves every service on the device-service URL.
    servicePaths: {
      media: '/onvif/device_service',
      media2: '/onvif/device_service',
      events: '/onvif/device_service',
      imaging: '/onvif/device_service',
      deviceIO: '/onvif/device_service',
      recording: '/onvif/device_service',
      search: '/onvif/device_service',
      replay: '/onvif/device_service',
    },
    camera: {
      manufacturer: 'Bosch',
      model: 'FLEXIDOME indoor 5100i IR',
      firmware: '8.71.0066',
      serial: '404754734001050102',
      hardwareId: 'F000B543',
    },
    nvr: {
      manufacturer: 'Bosch',
      model: 'DIVAR IP all-in-one 4000',
      firmware: '3.62.0010',
      serial: '044300123456780017',
      hardwareId: 'F0100B64',
    },
    cameraSourceToken: '1',
    nvrSourceToken: (n) => String(n),
    profileToken: (s, st) => `${st === 'main' ? 0 : 1}${s}`,
    recordingToken: (n) => `recording${n}`,
    timeZone: 'UTC5:0',
    localDateTime: false,
    cameraRecording: false,
  },
  milesight: {
    ...common,
    style: 'milesight',
    envPrefix: 'SOAP-ENV',
    extraNamespaces: {
      ...GSOAP_NOISE,
      wsdd: NS.wsd2005,
      chan: 'http://schemas.microsoft.com/ws/2005/02/duplex',
      tdn: NS.dn,
    },
    pretty: true,
    discovery: 'as-probe',
    discoPrefix: 'wsdd',
    addressingPrefix: 'wsa',
    multilineDiscovery: false,
    bareUuid: false,
    extraXAddrs: false,
    scopes: {
      fixed: [
        'onvif://www.onvif.org/type/Network_Video_Transmitter',
        PROFILE_S,
        'onvif://www.onvif.org/hardware/Camera',
      ],
      configurable: [
        'onvif://www.onvif.org/name/Camera',
        'onvif://www.onvif.org/location/',
        'onvif://www.onvif.org/model/',
        'onvif://www.onvif.org/macaddress/',
        PROFILE_G,
        PROFILE_T,
        'onvif://www.onvif.org/Profile/Q/FactoryDefault',
      ],
    },
    servicePaths: {
      media: '/onvif/Media',
      media2: '/onvif/Media2',
      events: '/onvif/Events',
      imaging: '/onvif/Imaging',
      deviceIO: '/onvif/DeviceIO',
      recording: '/onvif/Recording',
      search: '/onvif/Search',
      replay: '/onvif/Replay',
    },
    camera: {
      manufacturer: 'Milesight Technology Co.,Ltd.',
      model: 'MS-C8165-PE',
      firmware: '61.8.0.3-r8',
      serial: 'EM82V102329001403',
      hardwareId: 'V1.0',
    },
    nvr: {
      manufacturer: 'Milesight Technology Co.,Ltd.',
      model: 'MS-N5016-UPT',
      firmware: '73.9.0.1',
      serial: 'EN51V100210001122',
      hardwareId: 'V1.0',
    },
    cameraSourceToken: 'VideoSourceToken',
    nvrSourceToken: (n) => `VideoSourceToken_${n}`,
    profileToken: (s, st) => `profile${s * 2 + (st === 'main' ? 1 : 2)}`,
    recordingToken: (n) => `RecordingToken00${n}`,
    timeZone: 'CST-8',
    cameraRecording: true,
  },
  uniview: {
    ...common,
    style: 'uniview',
    envPrefix: 'SOAP-ENV',
    extraNamespaces: {
      ...GSOAP_NOISE,
      'wsrf-bf': 'http://docs.oasis-open.org/wsrf/bf-2',
      tpl: 'http://www.onvif.org/ver10/plus/wsdl',
    },
    pretty: true,
    // Answers in WS-Discovery 2009/01 (and WS-Addressing 2005/08) whatever the probe used.
    discovery: '2009/01',
    discoPrefix: 'wsd',
    addressingPrefix: 'wsa',
    multilineDiscovery: false,
    bareUuid: false,
    extraXAddrs: false,
    scopes: {
      fixed: [
        PROFILE_S,
        PROFILE_T,
        'onvif://www.onvif.org/type/NetworkVideoTransmitter',
        'onvif://www.onvif.org/hardware/{hardware}',
      ],
      configurable: ['onvif://www.onvif.org/location/country/china', 'onvif://www.onvif.org/name/{name}'],
    },
    servicePaths: {
      media: '/onvif/media_service',
      media2: '/onvif/media2_service',
      events: '/onvif/event_service',
      imaging: '/onvif/imaging_service',
      deviceIO: '/onvif/deviceio_service',
      recording: '/onvif/recording_service',
      search: '/onvif/search_service',
      replay: '/onvif/replay_service',
    },
    // White-label Uniview OEM capture (GX728MF-IR28): Manufacturer "NONE".
    camera: {
      manufacturer: 'NONE',
      model: 'GX728MF-IR28',
      firmware: 'IPC_G6106-B0005P11D1812C03',
      serial: '210235T8HQ3197000191',
      hardwareId: 'GX728MF-IR28',
    },
    nvr: {
      manufacturer: 'UNIVIEW',
      model: 'NVR302-16S',
      firmware: 'NVR-B3201.16.10.200710',
      serial: '210235C3EQ3205000123',
      hardwareId: 'NVR302-16S',
    },
    cameraSourceToken: '1',
    nvrSourceToken: (n) => String(n),
    profileToken: (s, st) => `media_profile${st === 'main' ? 1 : 2}${s > 0 ? `_${s + 1}` : ''}`,
    recordingToken: (n) => `Recording_${n}`,
    timeZone: 'CST-8:00:00',
    cameraRecording: false,
  },
  generic: {
    ...common,
    style: 'generic',
    envPrefix: 's',
    extraNamespaces: { e: NS.soapEnc, wsa: NS.wsa2005, xs: 'http://www.w3.org/2001/XMLSchema' },
    pretty: false,
    discovery: 'as-probe',
    discoPrefix: 'd',
    addressingPrefix: 'a',
    multilineDiscovery: false,
    bareUuid: false,
    extraXAddrs: false,
    scopes: {
      fixed: [PROFILE_S, 'onvif://www.onvif.org/hardware/{hardware}'],
      configurable: [
        'onvif://www.onvif.org/location/China',
        'onvif://www.onvif.org/location/Shenzhen',
        'onvif://www.onvif.org/name/{name}',
      ],
    },
    servicePaths: {
      media: '/onvif/media',
      media2: '/onvif/media2',
      events: '/onvif/events',
      imaging: '/onvif/imaging',
      deviceIO: '/onvif/deviceio',
      recording: '/onvif/recording',
      search: '/onvif/search',
      replay: '/onvif/replay',
    },
    camera: {
      manufacturer: 'ONVIF_IPNC',
      model: 'IPG-8150PSS',
      firmware: '1.3.0-20210203CN-PT',
      serial: 'I207215E7840DFDA9877E8B',
      hardwareId: '8FE1887A-72EE-403f-9385-5a58aed534cf',
    },
    nvr: {
      manufacturer: 'ONVIF_IPNC',
      model: 'NVR-16CH',
      firmware: '2.0.1-20220301',
      serial: 'N20220301A0001',
      hardwareId: '00001',
    },
    cameraSourceToken: 'VideoSource0',
    nvrSourceToken: (n) => `VideoSource${n - 1}`,
    profileToken: (s, st) => `Profile${String(s * 2 + (st === 'main' ? 0 : 1)).padStart(3, '0')}`,
    recordingToken: (n) => `Record${n}`,
    timeZone: 'CST6CDT:',
    cameraRecording: false,
  },
};

export const VENDOR_STYLES = Object.keys(STYLES) as VendorStyle[];
