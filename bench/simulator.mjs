// Simulator bench: start 200 simulated cameras (7 vendor styles) on loopback, then measure start-up time, RSS,
// unicast ProbeMatch latency for all of them and GetDeviceInformation throughput, and stop time.
// Run after `npx tsc -p tsconfig.build.json`: node bench/simulator.mjs [count]
import { randomInt, randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { request } from 'node:http';
import { generateSite, startSimulatedSite } from '../dist/simulator/index.js';

const count = Number(process.argv[2] ?? 200);
const base = `127.${randomInt(32, 250)}.${randomInt(1, 200)}.10`;
const port = process.getuid?.() === 0 ? 80 : 18080;
const mb = (n) => Math.round((n / 1024 / 1024) * 10) / 10;

const rss0 = process.memoryUsage().rss;
let t = performance.now();
const site = await startSimulatedSite(generateSite({ base, count, seed: 3, httpPort: port }));
const startMs = performance.now() - t;
globalThis.gc?.();
const rssIdle = process.memoryUsage().rss;

// Unicast probes to every device from one socket; wait for every ProbeMatch.
const sock = createSocket('udp4');
await new Promise((r) => sock.bind(0, '127.0.0.1', r));
sock.setRecvBufferSize(8 * 1024 * 1024); // 200 answers arrive at once
const pending = new Map();
t = performance.now();
const matched = await new Promise((resolve) => {
  let got = 0;
  sock.on('message', (m) => {
    const id = /RelatesTo>([^<]+)</.exec(m.toString())?.[1];
    if (id && pending.delete(id)) got++;
    if (got === site.devices.length) resolve(got);
  });
  for (const d of site.devices) {
    const id = `urn:uuid:${randomUUID()}`;
    pending.set(id, d);
    const probe = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Header><a:MessageID>${id}</a:MessageID></s:Header><s:Body><d:Probe/></s:Body></s:Envelope>`;
    sock.send(probe, 3702, d.address);
  }
  setTimeout(() => resolve(site.devices.length - pending.size), 5000);
});
const probeMs = performance.now() - t;
sock.close();

const body =
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>';
const call = (url) =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
t = performance.now();
const rounds = 5;
for (let i = 0; i < rounds; i++) await Promise.all(site.devices.map((d) => call(d.xaddr)));
const soapMs = performance.now() - t;
const rssBusy = process.memoryUsage().rss;

t = performance.now();
await site.stop();
const stopMs = performance.now() - t;

const result = {
  devices: site.devices.length,
  startMs: Math.round(startMs),
  rssBeforeMB: mb(rss0),
  rssIdleMB: mb(rssIdle),
  rssAfterLoadMB: mb(rssBusy),
  probeMatches: matched,
  allProbeMatchesMs: Math.round(probeMs),
  soapRequests: rounds * site.devices.length,
  soapRequestsPerSec: Math.round((rounds * site.devices.length) / (soapMs / 1000)),
  stopMs: Math.round(stopMs),
};
process.stderr.write(`${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
