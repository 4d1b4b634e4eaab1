// Probes targets in parallel and prints a JSON map "proto:host:port[@local]" → true (answered) / false.
// argv[2] = JSON [{proto:'tcp'|'udp'|'http', host, port, local?}], argv[3] = timeout ms.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

const targets = JSON.parse(process.argv[2]);
const timeoutMs = Number(process.argv[3] ?? 800);
const probe = (t) =>
  new Promise((resolve) => {
    const done = (ok) => {
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => {
      sock.destroy?.();
      sock.close?.();
      resolve(false);
    }, timeoutMs);
    let sock;
    if (t.proto === 'udp') {
      sock = createSocket(t.host.includes(':') ? 'udp6' : 'udp4');
      sock.on('message', () => {
        sock.close();
        done(true);
      });
      sock.on('error', () => done(false));
      sock.bind(0, t.local, () => sock.send('ping', t.port, t.host));
    } else {
      sock = connect({ host: t.host, port: t.port, ...(t.local ? { localAddress: t.local } : {}) });
      let data = '';
      sock.on('connect', () => {
        if (t.proto === 'http') sock.write(`GET / HTTP/1.0\r\nHost: ${t.host}\r\n\r\n`);
      });
      sock.on('data', (c) => {
        data += c;
        sock.destroy();
        done(data.length > 0);
      });
      sock.on('error', () => done(false));
    }
  });
const results = await Promise.all(targets.map(probe));
const out = {};
targets.forEach((t, i) => {
  out[`${t.proto}:${t.host}:${t.port}${t.local ? `@${t.local}` : ''}`] = results[i];
});
process.stdout.write(`${JSON.stringify(out)}\n`);
