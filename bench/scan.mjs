#!/usr/bin/env node
// Bench: `camwarden scan` pipeline over 200 simulated cameras on loopback vs the onvif package used the way its
// README shows (new Cam per known camera, all in parallel, connect + getDeviceInformation). Prints JSON.
// Run after `npx tsc -p tsconfig.build.json`: node bench/scan.mjs [count]
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Cam } = require('onvif');
const { loadConfig } = await import('../dist/config/load-config.js');
const { runScan } = await import('../dist/inventory/scan.js');

const COUNT = Number(process.argv[2] ?? 200);
const PREFIX = `127.77.${Math.floor(Math.random() * 200) + 1}`;
const PORT = 28080;
const PROFILES = readFileSync(
  new URL('../test/fixtures/onvif-real/sproctor_ONVIF-Camera-Kotlin/profiles.xml', import.meta.url),
  'utf8',
);
const INFO = readFileSync(
  new URL('../test/fixtures/onvif-real/sproctor_ONVIF-Camera-Kotlin/deviceInfo.xml', import.meta.url),
  'utf8',
);
const env = (inner) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:trt="http://www.onvif.org/ver10/media/wsdl"><s:Body>${inner}</s:Body></s:Envelope>`;
function timeXml() {
  const d = new Date();
  return env(
    `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`,
  );
}

async function startSite() {
  const closers = [];
  for (let i = 1; i <= COUNT; i++) {
    const address = `${PREFIX.split('.').slice(0, 2).join('.')}.${Number(PREFIX.split('.')[2]) + Math.floor((i - 1) / 250)}.${((i - 1) % 250) + 1}`;
    const base = `http://${address}:${PORT}`;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/soap+xml');
        if (body.includes('GetSystemDateAndTime')) return res.end(timeXml());
        if (body.includes('GetDeviceInformation')) return res.end(INFO.replace('B8A44F26437D', `SN${i}`));
        if (body.includes('GetScopes'))
          return res.end(
            env(
              '<tds:GetScopesResponse><tds:Scopes><tt:ScopeItem>onvif://www.onvif.org/location/zone/toilet</tt:ScopeItem></tds:Scopes></tds:GetScopesResponse>',
            ),
          );
        if (body.includes('GetServices'))
          return res.end(
            env(
              `<tds:GetServicesResponse><tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>${base}/onvif/device_service</tds:XAddr></tds:Service><tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>${base}/onvif/media</tds:XAddr></tds:Service></tds:GetServicesResponse>`,
            ),
          );
        if (body.includes('GetProfiles')) return res.end(PROFILES);
        if (body.includes('GetVideoSources'))
          return res.end(
            env(
              '<trt:GetVideoSourcesResponse><trt:VideoSources token="0"><tt:Framerate>25</tt:Framerate><tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>',
            ),
          );
        res.statusCode = 500;
        res.end(
          env(
            '<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text>no</s:Text></s:Reason></s:Fault>',
          ),
        );
      });
    });
    await new Promise((r) => server.listen(PORT, address, r));
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    udp.on('message', (msg, rinfo) => {
      const id = /<a:MessageID>([^<]+)</.exec(msg.toString())?.[1] ?? '';
      const reply = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header><a:MessageID>urn:uuid:r${i}-${Math.random()}</a:MessageID><a:RelatesTo>${id}</a:RelatesTo><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header><s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:bench-${i}</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/location/zone/toilet</d:Scopes><d:XAddrs>${base}/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`;
      udp.send(Buffer.from(reply), rinfo.port, rinfo.address);
    });
    await new Promise((r) => udp.bind(3702, address, r));
    closers.push(
      () => new Promise((r) => server.close(r)),
      () => new Promise((r) => udp.close(r)),
    );
    startSite.addresses.push(address);
  }
  return () => Promise.all(closers.map((c) => c()));
}
startSite.addresses = [];

async function baseline(addresses) {
  const t0 = performance.now();
  let ok = 0;
  await Promise.all(
    addresses.map(
      (hostname) =>
        new Promise((resolve) => {
          setTimeout(resolve, 15000).unref(); // the package's connect() can hang (onvif-notes §1.5); do not wait forever
          // README: new Cam({hostname, username, password, port}, function(err) { this.getDeviceInformation(...) })
          new Cam({ hostname, username: 'admin', password: 'pw', port: PORT, timeout: 10000 }, function (err) {
            if (err) return resolve();
            this.getDeviceInformation((e) => {
              if (!e) ok++;
              resolve();
            });
          });
        }),
    ),
  );
  return { wallMs: Math.round(performance.now() - t0), devices: ok };
}

async function ours(addresses) {
  const first = addresses[0];
  const last = addresses[addresses.length - 1];
  const { config } = loadConfig(
    { CAMWARDEN_ONVIF_USERNAME: 'admin', CAMWARDEN_ONVIF_PASSWORD: 'pw', CAMWARDEN_LOG_LEVEL: 'silent' },
    '/nonexistent',
  );
  if (process.env.BENCH_CONCURRENCY) config.onvif.concurrency = Number(process.env.BENCH_CONCURRENCY);
  const targets =
    first.split('.')[2] === last.split('.')[2] ? [`${first}-${last.split('.')[3]}`] : [`${first}-${last}`];
  const t0 = performance.now();
  const result = await runScan({
    config,
    targets,
    multicast: false,
    ...(process.env.BENCH_DEBUG
      ? { logger: (await import('../dist/util/logger.js')).createLogger({ level: 'debug' }) }
      : {}),
  });
  const wallMs = Math.round(performance.now() - t0);
  return {
    wallMs,
    devices: result.cameras.length,
    verified: result.cameras.filter((c) => c.errors.length === 0 && c.serial).length,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const stop = await startSite();
try {
  const addresses = startSite.addresses;
  // Both sides warm up once (JIT, lazily loaded modules), then alternate so neither gets a quieter moment.
  const coldScan = await ours(addresses); // our full pipeline incl. the unicast discovery window
  const coldBase = await baseline(addresses); // addresses known in advance, no discovery
  const scans = [];
  const bases = [];
  for (let i = 0; i < ROUNDS; i++) {
    scans.push(await ours(addresses));
    bases.push(await baseline(addresses));
  }
  const scanMs = median(scans.map((s) => s.wallMs));
  const baseMs = median(bases.map((b) => b.wallMs));
  process.stdout.write(
    `${JSON.stringify({
      bench: 'scan',
      cameras: COUNT,
      rounds: ROUNDS,
      camwardenScan: {
        medianMs: scanMs,
        runsMs: scans.map((s) => s.wallMs),
        coldMs: coldScan.wallMs,
        devices: Math.min(...scans.map((s) => s.devices)),
        verified: Math.min(...scans.map((s) => s.verified)),
      },
      onvifReadmeBaseline: {
        medianMs: baseMs,
        runsMs: bases.map((b) => b.wallMs),
        coldMs: coldBase.wallMs,
        devices: Math.min(...bases.map((b) => b.devices)),
      },
      beatsBaseline: scanMs < baseMs,
    })}\n`,
  );
} finally {
  await stop();
}
