import { describe, expect, it } from 'vitest';
import {
  parseCapabilities,
  parseDeviceInformation,
  parseGeoLocation,
  parseProfileTokens,
  parseRecordings,
  parseScopes,
  parseServices,
  parseSystemDateAndTime,
  parseVideoSources,
  responseBody,
} from '../../src/onvif/responses.js';
import { CamwardenError, ErrorCode } from '../../src/util/errors.js';
import { BOSCH, EASY, ENP, fixture, KOTLIN } from './fixtures.js';

function info(rel: string) {
  return parseDeviceInformation(responseBody(fixture(rel), 'GetDeviceInformation'));
}

function faultCode(rel: string): string {
  try {
    responseBody(fixture(rel), 'Op');
  } catch (err) {
    if (err instanceof CamwardenError) return err.code;
    throw err;
  }
  throw new Error('no fault raised');
}

describe('GetDeviceInformation from real devices keeps identity verbatim', () => {
  it('Bosch 18-digit serial survives as a string', () => {
    expect(info(`${BOSCH}/capture_001.json`)).toEqual({
      manufacturer: 'Bosch',
      model: 'FLEXIDOME indoor 5100i IR',
      firmware: '8.71.0066',
      serial: '404754734001050102',
      hardwareId: 'F000B543',
    });
  });
  it('Axis HardwareId 727 stays the string "727"', () => {
    const i = info(`${KOTLIN}/deviceInfo.xml`);
    expect(i.hardwareId).toBe('727');
    expect(i.serial).toBe('B8A44F26437D');
    expect(i.firmware).toBe('9.80.3.13');
  });
  it('white-label Hikvision OEM HardwareId 88', () => {
    const i = info(`${ENP}/device_management/GetDeviceInformationResponse.xml`);
    expect(i.manufacturer).toBe('ONVIF');
    expect(i.hardwareId).toBe('88');
    expect(typeof i.hardwareId).toBe('string');
    expect(i.firmware).toBe('V5.5.3 build 180822');
  });
  it.each([
    `${EASY}/GX728MF-IR28/device_management/GetDeviceInformationResponse.xml`,
    `${EASY}/SUNBA/device_management/GetDeviceInformationResponse.xml`,
    `${EASY}/SUNBA.405/device_management/GetDeviceInformationResponse.xml`,
    `${EASY}/IPG-8150PSS/device_management/GetDeviceInformationResponse.xml`,
    `${EASY}/DCS-6511/device_management/GetDeviceInformationResponse.xml`,
    'gBillal_ex_onvif/get_device_information.xml',
  ])('%s: every field is the exact text of the wire XML', (rel) => {
    const raw = fixture(rel);
    const i = info(rel);
    for (const [field, tag] of [
      ['manufacturer', 'Manufacturer'],
      ['model', 'Model'],
      ['firmware', 'FirmwareVersion'],
      ['serial', 'SerialNumber'],
      ['hardwareId', 'HardwareId'],
    ] as const) {
      const m = new RegExp(`<(?:\\w+:)?${tag}>([^<]*)</`).exec(raw);
      expect(i[field], field).toBe(m?.[1]?.trim());
    }
  });
});

describe('GetSystemDateAndTime', () => {
  it('Bosch device clock 2023-05-24 vs capture 2025-11-10: ~2.5 years of skew is visible', () => {
    const t = parseSystemDateAndTime(responseBody(fixture(`${BOSCH}/capture_002.json`), 'GetSystemDateAndTime'));
    expect(t?.toISOString()).toBe('2023-05-24T21:25:05.000Z');
    const capturedAt = new Date('2025-11-10T12:32:59-05:00').getTime();
    const skewDays = (capturedAt - (t?.getTime() ?? 0)) / 86_400_000;
    expect(skewDays).toBeGreaterThan(900);
    expect(skewDays).toBeLessThan(930);
  });
  it.each([
    ['hammeraj_onvif/get_system_date_and_time.xml'],
    [`${ENP}/device_management/GetSystemDateAndTimeResponse.xml`],
    [`${EASY}/SUNBA.405/device_management/GetSystemDateAndTimeResponse.xml`],
  ])('%s parses to a valid UTC time', (rel) => {
    const t = parseSystemDateAndTime(responseBody(fixture(rel), 'GetSystemDateAndTime'));
    expect(t).toBeInstanceOf(Date);
    expect(Number.isNaN(t?.getTime())).toBe(false);
  });
});

describe('GetScopes', () => {
  it('Milesight-like scopes, empty location included verbatim', () => {
    const scopes = parseScopes(responseBody(fixture('gBillal_ex_onvif/get_scopes.xml'), 'GetScopes'));
    expect(scopes).toContain('onvif://www.onvif.org/location/');
    expect(scopes).toContain('onvif://www.onvif.org/Profile/Q/FactoryDefault');
  });
});

describe('GetServices', () => {
  it('Axis: media2 and Profile G services', () => {
    const s = parseServices(responseBody(fixture(`${KOTLIN}/services.xml`), 'GetServices'));
    expect(s.media).toMatch(/^http:\/\/192\.168\.0\.209\//);
    expect(s.media2).toBeDefined();
    expect(s.recording).toBeDefined();
    expect(s.search).toBeDefined();
    expect(s.replay).toBeDefined();
  });
  it.each([
    `${ENP}/device_management/GetServicesResponse.xml`,
    `${EASY}/GX728MF-IR28/device_management/GetServicesResponse.xml`,
  ])('%s: media service found', (rel) => {
    const s = parseServices(responseBody(fixture(rel), 'GetServices'));
    expect(s.media).toMatch(/^http/);
  });
  it('a single <Service> is still a list (the onvif package loses it)', () => {
    const xml =
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetServicesResponse>' +
      '<Service><Namespace>http://www.onvif.org/ver10/media/wsdl</Namespace><XAddr>http://127.0.0.1/m</XAddr></Service>' +
      '</GetServicesResponse></s:Body></s:Envelope>';
    expect(parseServices(responseBody(xml, 'GetServices')).media).toBe('http://127.0.0.1/m');
  });
  it("reads the device's IPv6 capability where it says, and leaves it unknown where it does not", () => {
    const services = (network: string) =>
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><tds:GetServicesResponse xmlns:tds="urn:t">' +
      '<tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>http://127.0.0.1/d</tds:XAddr>' +
      `<tds:Capabilities><tds:Capabilities>${network}<tds:System DiscoveryBye="true"/></tds:Capabilities></tds:Capabilities>` +
      '</tds:Service></tds:GetServicesResponse></s:Body></s:Envelope>';
    const ipv6 = (network: string) => parseServices(responseBody(services(network), 'GetServices')).ipv6;
    expect(ipv6('<tds:Network IPVersion6="true"/>')).toBe(true);
    expect(ipv6('<tds:Network IPVersion6="false"/>')).toBe(false);
    expect(ipv6('<tds:Network IPFilter="false"/>')).toBeUndefined();
    expect(ipv6('')).toBeUndefined();
    const capabilities = (v: string) =>
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetCapabilitiesResponse><Capabilities>' +
      `<Device><XAddr>http://127.0.0.1/d</XAddr><Network>${v}</Network></Device>` +
      '</Capabilities></GetCapabilitiesResponse></s:Body></s:Envelope>';
    expect(parseCapabilities(responseBody(capabilities('<IPVersion6>true</IPVersion6>'), 'GetCapabilities')).ipv6).toBe(
      true,
    );
    expect(
      parseCapabilities(responseBody(capabilities('<IPVersion6>false</IPVersion6>'), 'GetCapabilities')).ipv6,
    ).toBe(false);
    expect(parseCapabilities(responseBody(capabilities(''), 'GetCapabilities')).ipv6).toBeUndefined();
  });
});

describe('GetProfiles', () => {
  it.each([
    [`${KOTLIN}/profiles.xml`, ['profile_1_h264', 'profile_1_jpeg']],
    [`${KOTLIN}/lorex.xml`, ['Profile000', 'Profile001']],
    [`${ENP}/media1/GetProfilesResponse.xml`, ['Profile_1', 'Profile_2', 'Profile_3']],
  ])('%s', (rel, tokens) => {
    expect(parseProfileTokens(responseBody(fixture(rel), 'GetProfiles'))).toEqual(tokens);
  });
  it('Bosch 4 profiles', () => {
    expect(parseProfileTokens(responseBody(fixture(`${BOSCH}/capture_005.json`), 'GetProfiles'))).toHaveLength(4);
  });
});

describe('GetRecordings MaximumRetentionTime verbatim', () => {
  it('Axis: 3 recordings, PT1H, source names', () => {
    const recs = parseRecordings(responseBody(fixture('hammeraj_onvif/get_recordings_success.xml'), 'GetRecordings'));
    expect(recs).toHaveLength(3);
    expect(recs.map((r) => r.maximumRetentionTime)).toEqual(['PT1H', 'PT1H', 'PT1H']);
    expect(recs[0]).toMatchObject({ recordingToken: 'SD_DISK_20200422_123501_A2388AB3', name: 'paolo' });
  });
  it('Hikvision OEM: PT0S (unlimited)', () => {
    const recs = parseRecordings(responseBody(fixture(`${ENP}/recordings/GetRecordingsResponse.xml`), 'GetRecordings'));
    expect(recs.length).toBeGreaterThan(0);
    expect(recs[0]?.maximumRetentionTime).toBe('PT0S');
  });
});

describe('SOAP faults map to error codes', () => {
  it.each([
    [`${KOTLIN}/fault_notAuthorized.xml`, ErrorCode.Unauthorized],
    [`${KOTLIN}/fault_gsoap.xml`, ErrorCode.NotSupported],
    [`${EASY}/SUNBA/device_management/Fault.xml`, ErrorCode.NotSupported],
    [`${EASY}/IPG-8150PSS/device_management/Fault.xml`, ErrorCode.NotSupported],
    [`${EASY}/IPD-H4K8M05-BS/device_management/Fault.xml`, ErrorCode.SoapFault],
    [`${ENP}/device_management/Fault.xml`, ErrorCode.SoapFault],
    ['gBillal_ex_onvif/soap_fault.xml', ErrorCode.SoapFault],
    ['hammeraj_onvif/get_replay_uri__recording_not_found.xml', ErrorCode.SoapFault],
  ])('%s → %s', (rel, code) => {
    expect(faultCode(rel)).toBe(code);
  });
});

describe('video sources and geolocation', () => {
  it('Media1 VideoSources tokens and Media2 SourceToken', () => {
    const m1 =
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><trt:GetVideoSourcesResponse xmlns:trt="x">' +
      '<trt:VideoSources token="VS1"/><trt:VideoSources token="VS2"/></trt:GetVideoSourcesResponse></s:Body></s:Envelope>';
    expect(parseVideoSources(responseBody(m1, 'GetVideoSources'))).toEqual([{ token: 'VS1' }, { token: 'VS2' }]);
    const m2 =
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetVideoSourceConfigurationsResponse>' +
      '<Configurations token="c"><SourceToken>0727</SourceToken></Configurations></GetVideoSourceConfigurationsResponse></s:Body></s:Envelope>';
    expect(parseVideoSources(responseBody(m2, 'GetVideoSourceConfigurations'))).toEqual([{ token: '0727' }]);
  });
  it('GetGeoLocation per schema; out-of-range points ignored', () => {
    const xml = (attrs: string) =>
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><tds:GetGeoLocationResponse xmlns:tds="d" xmlns:tt="t">' +
      `<tds:Location Entity="Device"><tt:GeoLocation ${attrs}/></tds:Location></tds:GetGeoLocationResponse></s:Body></s:Envelope>`;
    expect(parseGeoLocation(responseBody(xml('lat="31.2304" lon="121.4737" elevation="12.5"'), 'G'))).toEqual({
      lat: 31.2304,
      lon: 121.4737,
      elevation: 12.5,
    });
    expect(parseGeoLocation(responseBody(xml('lat="999" lon="1"'), 'G'))).toBeUndefined();
  });
});
