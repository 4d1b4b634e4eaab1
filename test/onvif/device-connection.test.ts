import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConnectionLimits, DeviceConnection } from '../../src/onvif/device-connection.js';
import { CamwardenError, ErrorCode } from '../../src/util/errors.js';
import { waitFor } from '../helpers/wait-for.js';

/** What the raw device does with each request it has read: writes bytes, and maybe closes. */
type Answer = (socket: Socket, request: string, index: number) => void;

interface RawDevice {
  port: number;
  connections: number;
  requests: string[];
  open: Set<Socket>;
  close(): Promise<void>;
}

/** A TCP server that reads whole requests (head + Content-Length body) and answers them as told: HTTP or not. */
async function rawDevice(answer: Answer): Promise<RawDevice> {
  const device: RawDevice = {
    port: 0,
    connections: 0,
    requests: [],
    open: new Set(),
    close: async () => {
      for (const s of device.open) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  const server: Server = createServer((socket) => {
    device.connections++;
    device.open.add(socket);
    socket.on('close', () => device.open.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const headEnd = buffered.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, headEnd))?.[1] ?? 0);
        if (buffered.length < headEnd + 4 + length) return;
        const request = buffered.slice(0, headEnd + 4 + length);
        buffered = buffered.slice(request.length);
        device.requests.push(request);
        answer(socket, request, device.requests.length - 1);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  device.port = (server.address() as AddressInfo).port;
  return device;
}

const ok = (body: string, extra = ''): string =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

// A deadline no honest exchange here comes near, even on a loaded CI machine; the tests of the deadline set their own.
const LIMITS: ConnectionLimits = { maxBytes: 64 * 1024, deadlineMs: 10_000 };
const POST = { path: '/onvif/device_service', headers: { 'Content-Type': 'application/soap+xml' }, body: '<x/>' };

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function setup(answer: Answer, limits = LIMITS): Promise<{ device: RawDevice; conn: DeviceConnection }> {
  const device = await rawDevice(answer);
  const conn = new DeviceConnection({ hostname: '127.0.0.1', port: device.port, secure: false }, limits);
  cleanup.push(
    () => device.close(),
    () => conn.close(),
  );
  return { device, conn };
}

async function refusal(p: Promise<unknown>): Promise<CamwardenError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CamwardenError);
  return err as CamwardenError;
}

describe('DeviceConnection', () => {
  it('sends a well-formed POST and keeps one connection for the calls that follow', async () => {
    const { device, conn } = await setup((s, _req, i) => s.write(ok(`<r${i}/>`)));
    for (let i = 0; i < 3; i++) {
      const r = await conn.post(POST);
      expect(r.body.toString()).toBe(`<r${i}/>`);
    }
    expect(device.connections).toBe(1);
    expect(device.requests[0]).toBe(
      `POST /onvif/device_service HTTP/1.1\r\nHost: 127.0.0.1:${device.port}\r\nContent-Type: application/soap+xml\r\n` +
        'Content-Length: 4\r\nConnection: keep-alive\r\n\r\n<x/>',
    );
  });

  it('reads an answer that arrives a byte at a time', async () => {
    const { conn } = await setup((s) => {
      const bytes = Buffer.from(ok('<slow/>'));
      let i = 0;
      const t = setInterval(() => {
        if (i >= bytes.length) return void clearInterval(t);
        s.write(bytes.subarray(i, ++i));
      }, 1);
      s.on('close', () => clearInterval(t));
    });
    expect((await conn.post(POST)).body.toString()).toBe('<slow/>');
  });

  it('Connection: close and a device closing an idle connection: the next call opens a new one', async () => {
    const { device, conn } = await setup((s, _req, i) => {
      if (i === 0) s.end(ok('<a/>', 'Connection: close\r\n'));
      else if (i === 1) {
        s.write(ok('<b/>'));
        setTimeout(() => s.end(), 10); // the device's keep-alive timeout
      } else s.write(ok('<c/>'));
    });
    expect((await conn.post(POST)).body.toString()).toBe('<a/>');
    expect((await conn.post(POST)).body.toString()).toBe('<b/>');
    await waitFor('the device to close the idle connection', () => (device.open.size === 0 ? true : undefined));
    expect((await conn.post(POST)).body.toString()).toBe('<c/>');
    expect(device.connections).toBe(3);
  });

  it('a kept-alive connection the device drops as the next request arrives: that request goes once more, on a new one', async () => {
    const { device, conn } = await setup((s, _req, i) => {
      if (i === 1)
        s.destroy(); // its keep-alive ran out as the request came in: no answer, connection gone
      else s.write(ok(`<r${i}/>`));
    });
    expect((await conn.post(POST)).body.toString()).toBe('<r0/>');
    expect((await conn.post(POST)).body.toString()).toBe('<r2/>');
    expect(device.connections).toBe(2);
    expect(device.requests).toHaveLength(3);
  });

  it('is not sent again after a timeout, a partial answer, or a failure on a new connection', async () => {
    const hang = await setup(
      (s, _req, i) => {
        if (i === 0) s.write(ok('<r0/>'));
      },
      { ...LIMITS, deadlineMs: 300 },
    );
    await hang.conn.post(POST);
    expect((await refusal(hang.conn.post(POST))).code).toBe(ErrorCode.Timeout);
    expect(hang.device.requests).toHaveLength(2);
    const partial = await setup((s, _req, i) => {
      if (i === 0) s.write(ok('<r0/>'));
      else s.end('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n<part');
    });
    await partial.conn.post(POST);
    expect((await refusal(partial.conn.post(POST))).code).toBe(ErrorCode.Unreachable);
    expect(partial.device.requests).toHaveLength(2);
    const dropped = await setup((s) => s.destroy());
    expect((await refusal(dropped.conn.post(POST))).code).toBe(ErrorCode.Unreachable);
    expect(dropped.device.requests).toHaveLength(1);
  });

  it('bytes a device sends while no call is out retire the connection: they never pass for the next answer', async () => {
    const { device, conn } = await setup((s, _req, i) => {
      s.write(ok(`<real${i}/>`));
      if (i === 0) setTimeout(() => s.write(ok('<stray/>')), 10);
    });
    expect((await conn.post(POST)).body.toString()).toBe('<real0/>');
    await waitFor('the stray answer to retire the connection', () => (device.open.size === 0 ? true : undefined));
    expect((await conn.post(POST)).body.toString()).toBe('<real1/>');
    expect(device.connections).toBe(2);
  });

  it('no answer, or one trickling, is cut at the deadline and the connection destroyed', async () => {
    const limits = { ...LIMITS, deadlineMs: 300 };
    const hang = await setup(() => {}, limits);
    expect((await refusal(hang.conn.post(POST))).code).toBe(ErrorCode.Timeout);
    await waitFor('the hanging connection to close', () => (hang.device.open.size === 0 ? true : undefined));
    const trickle = await setup((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
      const t = setInterval(() => s.write(' '), 20);
      s.on('close', () => clearInterval(t));
    }, limits);
    expect((await refusal(trickle.conn.post(POST))).code).toBe(ErrorCode.Timeout);
  });

  it('a DOCTYPE on the wire is refused at once, but a 401 page with one is read (its body is never parsed)', async () => {
    const page = '<!DOCTYPE html><html><title>401</title></html>';
    const { device, conn } = await setup((s, _req, i) => {
      if (i === 0) {
        s.write(
          `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="cam", nonce="n"\r\nContent-Length: ${page.length}\r\n\r\n${page}`,
        );
      } else s.write(`HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<?xml version="1.0"?><!DOCTYPE x [`);
    });
    const challenge = await conn.post(POST);
    expect(challenge.statusCode).toBe(401);
    expect(challenge.body.toString()).toBe(page);
    expect((await refusal(conn.post(POST))).code).toBe(ErrorCode.DoctypeRefused);
    await waitFor('the refused connection to close', () => (device.open.size === 0 ? true : undefined));
  });

  it('a DOCTYPE trickled a byte at a time, or split between two chunks, is still refused', async () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n<?xml version="1.0"?>';
    const trickled = await setup((s) => {
      s.write(head);
      const bytes = Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]>');
      let i = 0;
      const t = setInterval(() => {
        if (i < bytes.length) s.write(bytes.subarray(i, ++i));
        else clearInterval(t);
      }, 2);
      s.on('close', () => clearInterval(t));
    });
    expect((await refusal(trickled.conn.post(POST))).code).toBe(ErrorCode.DoctypeRefused);
    const split = await setup((s) => {
      s.write(`${head}${'x'.repeat(300)}<!DOC`);
      setTimeout(() => s.write('TYPE x>'), 20);
    });
    expect((await refusal(split.conn.post(POST))).code).toBe(ErrorCode.DoctypeRefused);
  });

  it('an answer over the byte cap is refused; the connection after it starts a fresh count', async () => {
    const { device, conn } = await setup((s, _req, i) => s.write(ok(`<p>${'x'.repeat(i === 1 ? 5000 : 3000)}</p>`)), {
      ...LIMITS,
      maxBytes: 4096,
    });
    await conn.post(POST);
    expect((await refusal(conn.post(POST))).code).toBe(ErrorCode.ResponseTooLarge);
    expect((await conn.post(POST)).body.length).toBe(3007);
    expect(device.connections).toBe(2);
  });

  it('garbage instead of HTTP is a malformed answer, never a crash', async () => {
    const { conn } = await setup((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    const err = await refusal(conn.post(POST));
    expect(err.code).toBe(ErrorCode.InvalidXml);
    expect(err.message).toMatch(/malformed HTTP response/);
  });

  it('a connection closed before the answer is complete is unreachable', async () => {
    const { conn } = await setup((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n<partial'));
    expect((await refusal(conn.post(POST))).code).toBe(ErrorCode.Unreachable);
  });

  it('refuses a path or field value that could inject a header, before anything is sent', async () => {
    const { device, conn } = await setup((s) => s.write(ok('<x/>')));
    const injected = { ...POST, path: '/onvif/device_service\r\nX-Evil: 1' };
    expect((await refusal(conn.post(injected))).code).toBe(ErrorCode.InvalidRequest);
    const header = { ...POST, headers: { Authorization: 'Digest a\r\nX-Evil: 1' } };
    expect((await refusal(conn.post(header))).code).toBe(ErrorCode.InvalidRequest);
    expect(device.connections).toBe(0);
  });

  it('close() ends the connection and refuses later calls', async () => {
    const { device, conn } = await setup((s) => s.write(ok('<x/>')));
    await conn.post(POST);
    conn.close();
    await waitFor('the device to see the close', () => (device.open.size === 0 ? true : undefined));
    expect((await refusal(conn.post(POST))).code).toBe(ErrorCode.Timeout);
  });

  it('speaks TLS to a device with a self-signed certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-device-tls-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'],
        ...['-subj', '/CN=camera', '-keyout', 'key.pem', '-out', 'cert.pem'],
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (req, res) => {
        req.resume();
        req.on('end', () => res.end('<secure/>'));
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const conn = new DeviceConnection(
      { hostname: '127.0.0.1', port: (server.address() as AddressInfo).port, secure: true },
      LIMITS,
    );
    cleanup.push(() => conn.close());
    expect((await conn.post(POST)).body.toString()).toBe('<secure/>');
    expect((await conn.post(POST)).body.toString()).toBe('<secure/>');
    server.closeAllConnections();
  });
});
