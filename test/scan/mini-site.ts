import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { probeMatch } from '../discovery/responder.js';
import { BOSCH, EASY, ENP, fixture, KOTLIN } from '../onvif/fixtures.js';

/**
 * A small site for scan tests, served from the real captures (until the shared simulator is wired in):
 * honest cameras in 5 vendor styles, an NVR, and hostile devices. Each device has its own 127.x.y.z address,
 * WS-Discovery on UDP 3702 and SOAP on HTTP.
 */
export type Hostile = 'entity-bomb' | 'huge-body' | 'hang' | 'invalid-xml' | 'spoof' | 'foreign-xaddr' | 'printer';

export interface MiniDevice {
  address: string;
  endpoint: string;
  vendor: string;
  serial: string;
  hardwareId: string;
  model: string;
  hostile?: Hostile;
  nvr?: boolean;
}

const STYLES = [
  { vendor: 'axis', info: `${KOTLIN}/deviceInfo.xml` },
  { vendor: 'bosch', info: `${BOSCH}/capture_001.json` },
  { vendor: 'hikvision', info: `${ENP}/device_management/GetDeviceInformationResponse.xml` },
  { vendor: 'milesight', info: 'gBillal_ex_onvif/get_device_information.xml' },
  { vendor: 'dlink', info: `${EASY}/DCS-6511/device_management/GetDeviceInformationResponse.xml` },
  { vendor: 'uniview', info: `${EASY}/SUNBA/device_management/GetDeviceInformationResponse.xml` },
];

const env = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:trc="http://www.onvif.org/ver10/recording/wsdl"><SOAP-ENV:Body>${inner}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;

function timeXml(): string {
  const d = new Date();
  return env(
    `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
      `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`,
  );
}

function services(base: string, nvr: boolean): string {
  const s = (ns: string, path: string) =>
    `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${base}${path}</tds:XAddr></tds:Service>`;
  return env(
    `<tds:GetServicesResponse>${s('http://www.onvif.org/ver10/device/wsdl', '/onvif/device_service')}${s('http://www.onvif.org/ver10/media/wsdl', '/onvif/media')}${nvr ? s('http://www.onvif.org/ver10/recording/wsdl', '/onvif/recording') : ''}</tds:GetServicesResponse>`,
  );
}

export function deviceInfoXml(d: MiniDevice): string {
  const style = STYLES.find((s) => s.vendor === d.vendor) ?? STYLES[0];
  return fixture(style?.info ?? '')
    .replace(/(<(\w+:)?SerialNumber>)[^<]*/, `$1${d.serial}`)
    .replace(/(<(\w+:)?HardwareId>)[^<]*/, `$1${d.hardwareId}`);
}

export interface MiniSite {
  devices: MiniDevice[];
  foreignConnections: () => number;
  stop(): Promise<void>;
}

export async function startMiniSite(
  prefix: string,
  honest: number,
  hostile: Hostile[],
  httpPort: number,
): Promise<MiniSite> {
  const devices: MiniDevice[] = [];
  for (let i = 0; i < honest; i++) {
    const style = STYLES[i % STYLES.length];
    devices.push({
      address: `${prefix}.${i + 1}`,
      endpoint: `urn:uuid:00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
      vendor: style?.vendor ?? 'axis',
      serial: `4047547340010501${String(i).padStart(2, '0')}`,
      hardwareId: '0727',
      model: '',
      nvr: i === 0,
    });
  }
  hostile.forEach((h, j) => {
    devices.push({
      address: `${prefix}.${200 + j}`,
      endpoint: `urn:uuid:00000000-0000-4000-9000-${String(j + 1).padStart(12, '0')}`,
      vendor: 'axis',
      serial: `HOSTILE${j}`,
      hardwareId: '1',
      model: '',
      hostile: h,
    });
  });
  const foreignAddress = `${prefix}.250`;
  let foreignCount = 0;
  const openSockets = new Set<Socket>();
  const foreign: TcpServer = createTcpServer((s) => {
    foreignCount++;
    s.destroy();
  });
  await new Promise<void>((r) => foreign.listen(httpPort, foreignAddress, r));
  const servers: Server[] = [];
  const udps: UdpSocket[] = [];
  for (const d of devices) {
    const base = `http://${d.address}:${httpPort}`;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        res.setHeader('content-type', 'application/soap+xml; charset=utf-8');
        if (body.includes('GetSystemDateAndTime')) return void res.end(timeXml());
        switch (d.hostile) {
          case 'entity-bomb':
            return void res.end(
              `<?xml version="1.0"?><!DOCTYPE b [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>${env('<x>&b;</x>')}`,
            );
          case 'huge-body': {
            res.write(env('<x>').replace('</SOAP-ENV:Body></SOAP-ENV:Envelope>', ''));
            const chunk = 'A'.repeat(256 * 1024);
            let sent = 0;
            res.on('error', () => {});
            const pump = (): void => {
              while (sent < 30 * 1024 * 1024) {
                sent += chunk.length;
                if (!res.write(chunk)) return void res.once('drain', pump);
              }
              res.end('</x></SOAP-ENV:Body></SOAP-ENV:Envelope>');
            };
            return pump();
          }
          case 'hang':
            return;
          case 'invalid-xml':
            return void res.end('<SOAP-ENV:Envelope><SOAP-ENV:Body><oops></SOAP-ENV:Envelope>');
          default:
            break;
        }
        if (body.includes('GetDeviceInformation')) return void res.end(deviceInfoXml(d));
        if (body.includes('GetScopes')) {
          return void res.end(
            env(
              `<tds:GetScopesResponse><tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>onvif://www.onvif.org/name/${d.vendor}</tt:ScopeItem></tds:Scopes>` +
                `<tds:Scopes><tt:ScopeDef>Configurable</tt:ScopeDef><tt:ScopeItem>onvif://www.onvif.org/location/zone/${d.nvr ? 'public-other' : 'toilet'}</tt:ScopeItem></tds:Scopes></tds:GetScopesResponse>`,
            ),
          );
        }
        if (body.includes('GetServices')) return void res.end(services(base, d.nvr === true));
        if (body.includes('GetProfiles')) {
          return void res.end(
            env('<trt:GetProfilesResponse><trt:Profiles token="p1" fixed="true"/></trt:GetProfilesResponse>'),
          );
        }
        if (body.includes('GetVideoSources')) {
          const vs = d.nvr
            ? '<trt:VideoSources token="CH1"/><trt:VideoSources token="CH2"/>'
            : '<trt:VideoSources token="VS0"/>';
          return void res.end(env(`<trt:GetVideoSourcesResponse>${vs}</trt:GetVideoSourcesResponse>`));
        }
        if (body.includes('GetRecordings')) {
          const item = (tok: string, name: string) =>
            `<trc:RecordingItem><tt:RecordingToken>R${tok}</tt:RecordingToken><tt:Configuration><tt:Source><tt:SourceId>${tok}</tt:SourceId><tt:Name>${name}</tt:Name><tt:Location></tt:Location><tt:Description></tt:Description></tt:Source><tt:MaximumRetentionTime>PT720H</tt:MaximumRetentionTime></tt:Configuration></trc:RecordingItem>`;
          return void res.end(
            env(
              `<trc:GetRecordingsResponse>${item('CH1', '更衣室')}${item('CH2', 'Lobby')}</trc:GetRecordingsResponse>`,
            ),
          );
        }
        res.statusCode = 500;
        res.end(fixture(`${KOTLIN}/fault_gsoap.xml`));
      });
    });
    server.on('connection', (s) => {
      openSockets.add(s);
      s.on('close', () => openSockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(httpPort, d.address, r));
    servers.push(server);
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    udp.on('message', (msg, rinfo) => {
      const id = /<a:MessageID>([^<]+)<\/a:MessageID>/.exec(msg.toString())?.[1] ?? '';
      const xaddrs =
        d.hostile === 'foreign-xaddr'
          ? `http://${foreignAddress}:${httpPort}/onvif/device_service`
          : `${base}/onvif/device_service http://169.254.7.7/onvif/device_service`;
      const reply =
        d.hostile === 'spoof'
          ? probeMatch({ relatesTo: 'urn:uuid:spoofed', endpoint: d.endpoint, xaddrs })
          : d.hostile === 'printer'
            ? probeMatch({
                relatesTo: id,
                endpoint: d.endpoint,
                xaddrs: `${base}/wsd`,
                types: 'wsdp:Device',
                scopes: 'ldap:///printers',
              })
            : probeMatch({ relatesTo: id, endpoint: d.endpoint, xaddrs });
      udp.send(Buffer.from(reply), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => udp.bind(3702, d.address, r));
    udps.push(udp);
  }
  return {
    devices,
    foreignConnections: () => foreignCount,
    async stop() {
      for (const s of openSockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      await Promise.all(udps.map((u) => new Promise<void>((r) => u.close(() => r()))));
      await new Promise((r) => foreign.close(r));
    },
  };
}
