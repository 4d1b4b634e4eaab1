import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny ONVIF device for the lever tests: device, media2 and recording services on one HTTP port, with the
 * state the levers change, and every SOAP operation recorded (name + body).
 */
export interface FakeDevice {
  xaddr: string;
  calls: Array<{ path: string; operation: string; body: string }>;
  state: {
    protocols: Array<{ name: string; enabled: boolean; ports: number[] }>;
    masks: Array<{ token: string; configurationToken: string; polygon: string }>;
    jobs: Array<{ token: string; recordingToken: string; source: string; mode: string }>;
  };
  /** Operations whose next response is lost after the state changed (the connection drops). */
  loseResponse: Set<string>;
  stop(): Promise<void>;
}

const env = (body: string) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tr2="http://www.onvif.org/ver20/media/wsdl" xmlns:trc="http://www.onvif.org/ver10/recording/wsdl"><s:Body>${body}</s:Body></s:Envelope>`;

export async function startFakeDevice(): Promise<FakeDevice> {
  const state: FakeDevice['state'] = {
    protocols: [
      { name: 'HTTP', enabled: true, ports: [80] },
      { name: 'HTTPS', enabled: false, ports: [443] },
      { name: 'RTSP', enabled: true, ports: [554] },
    ],
    masks: [],
    jobs: [
      { token: 'job1', recordingToken: 'rec1', source: 'VS1', mode: 'Active' },
      { token: 'job2', recordingToken: 'rec2', source: 'VS2', mode: 'Active' },
    ],
  };
  const calls: FakeDevice['calls'] = [];
  const loseResponse = new Set<string>();
  let port = 0;
  let nextMask = 1;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw.match(/<s:Body>([\s\S]*)<\/s:Body>/)?.[1] ?? '';
      const operation = body.match(/^<\w+:(\w+)/)?.[1] ?? '?';
      calls.push({ path: req.url ?? '', operation, body });
      let out = '';
      switch (operation) {
        case 'GetServices':
          out = `<tds:GetServicesResponse>${[
            ['http://www.onvif.org/ver10/device/wsdl', '/onvif/device_service'],
            ['http://www.onvif.org/ver20/media/wsdl', '/onvif/media2'],
            ['http://www.onvif.org/ver10/recording/wsdl', '/onvif/recording'],
          ]
            .map(
              ([ns, p]) =>
                `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>http://192.0.2.99:${port}${p}</tds:XAddr></tds:Service>`,
            )
            .join('')}</tds:GetServicesResponse>`;
          break;
        case 'GetNetworkProtocols':
          out = `<tds:GetNetworkProtocolsResponse>${state.protocols
            .map(
              (p) =>
                `<tds:NetworkProtocols><tt:Name>${p.name}</tt:Name><tt:Enabled>${p.enabled}</tt:Enabled>${p.ports.map((x) => `<tt:Port>${x}</tt:Port>`).join('')}</tds:NetworkProtocols>`,
            )
            .join('')}</tds:GetNetworkProtocolsResponse>`;
          break;
        case 'SetNetworkProtocols':
          for (const m of body.matchAll(
            /<tds:NetworkProtocols><tt:Name>(\w+)<\/tt:Name><tt:Enabled>(\w+)<\/tt:Enabled>((?:<tt:Port>\d+<\/tt:Port>)*)/g,
          )) {
            const p = state.protocols.find((x) => x.name === m[1]);
            if (p) {
              p.enabled = m[2] === 'true';
              p.ports = [...(m[3] ?? '').matchAll(/\d+/g)].map((x) => Number(x[0]));
            }
          }
          out = '<tds:SetNetworkProtocolsResponse/>';
          break;
        case 'GetVideoSourceConfigurations':
          out =
            '<tr2:GetVideoSourceConfigurationsResponse>' +
            '<tr2:Configurations token="VSC1"><tt:Name>a</tt:Name><tt:SourceToken>VS1</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"/></tr2:Configurations>' +
            '<tr2:Configurations token="VSC2"><tt:Name>b</tt:Name><tt:SourceToken>VS2</tt:SourceToken><tt:Bounds x="0" y="0" width="1280" height="720"/></tr2:Configurations>' +
            '</tr2:GetVideoSourceConfigurationsResponse>';
          break;
        case 'CreateMask': {
          const token = `mask${nextMask++}`;
          state.masks.push({
            token,
            configurationToken: body.match(/<tr2:ConfigurationToken>([^<]*)</)?.[1] ?? '',
            polygon: body.match(/<tr2:Polygon>([\s\S]*?)<\/tr2:Polygon>/)?.[1] ?? '',
          });
          out = `<tr2:CreateMaskResponse><tr2:Token>${token}</tr2:Token></tr2:CreateMaskResponse>`;
          break;
        }
        case 'DeleteMask': {
          const token = body.match(/<tr2:Token>([^<]*)</)?.[1];
          state.masks = state.masks.filter((m) => m.token !== token);
          out = '<tr2:DeleteMaskResponse/>';
          break;
        }
        case 'GetRecordingJobs':
          out = `<trc:GetRecordingJobsResponse>${state.jobs
            .map(
              (j) =>
                `<trc:JobItem><tt:JobToken>${j.token}</tt:JobToken><tt:JobConfiguration><tt:RecordingToken>${j.recordingToken}</tt:RecordingToken><tt:Mode>${j.mode}</tt:Mode><tt:Priority>1</tt:Priority><tt:Source><tt:SourceToken Type="http://www.onvif.org/ver10/schema/Profile"><tt:Token>${j.source}</tt:Token></tt:SourceToken></tt:Source></tt:JobConfiguration></trc:JobItem>`,
            )
            .join('')}</trc:GetRecordingJobsResponse>`;
          break;
        case 'SetRecordingJobMode': {
          const token = body.match(/<trc:JobToken>([^<]*)</)?.[1];
          const mode = body.match(/<trc:Mode>([^<]*)</)?.[1] ?? '';
          const job = state.jobs.find((j) => j.token === token);
          if (job) job.mode = mode;
          out = '<trc:SetRecordingJobModeResponse/>';
          break;
        }
        default:
          res.statusCode = 400;
          out =
            '<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="en">ActionNotSupported</s:Text></s:Reason></s:Fault>';
      }
      if (loseResponse.delete(operation)) {
        req.socket.destroy();
        return;
      }
      res.setHeader('content-type', 'application/soap+xml');
      res.end(env(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  return {
    xaddr: `http://127.0.0.1:${port}/onvif/device_service`,
    calls,
    state,
    loseResponse,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
