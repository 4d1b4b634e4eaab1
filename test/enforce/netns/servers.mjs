// Started inside a network namespace: for each address, HTTP on 80, an "RTSP" TCP listener on 554 and a UDP
// echo on 5000 (bound per address, so replies leave from the address that was asked). Optional extra TCP ports
// via PORTS=addr:port,… Prints "ready" once everything listens.
import { createSocket } from 'node:dgram';
import { createServer as createHttp } from 'node:http';
import { createServer as createTcp } from 'node:net';

const addrs = process.argv.slice(2);
const extra = (process.env.PORTS ?? '')
  .split(',')
  .filter(Boolean)
  .map((s) => [s.slice(0, s.lastIndexOf(':')), s.slice(s.lastIndexOf(':') + 1)]); // IPv6 hosts have colons too
const pending = [];
const listen = (server, port, host) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
for (const a of addrs) {
  pending.push(
    listen(
      createHttp((_, res) => res.end(`hello from ${a}`)),
      80,
      a,
    ),
  );
  pending.push(
    listen(
      createTcp((s) => s.end(`RTSP/1.0 200 OK\r\nServer: ${a}\r\n\r\n`)),
      554,
      a,
    ),
  );
  const udp = createSocket(a.includes(':') ? 'udp6' : 'udp4');
  udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
  pending.push(new Promise((resolve) => udp.bind(5000, a, resolve)));
}
for (const [host, port] of extra)
  pending.push(
    listen(
      createTcp((s) => s.end('gw\n')),
      Number(port),
      host,
    ),
  );
await Promise.all(pending);
process.stdout.write('ready\n');
setInterval(() => {}, 1 << 30);
