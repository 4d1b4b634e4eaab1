import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { MOSQUITTO_BIN } from './capabilities.js';
import { readableCopy } from './readable-copy.js';

export interface TestBroker {
  readonly kind: 'embedded' | 'mosquitto';
  readonly url: string;
  readonly port: number;
  /**
   * Embedded only: every PUBLISH the broker accepted from a client, in the order it took them. A publisher's order
   * is judged here: aedes delivers a resumed persistent session's queue interleaved with live messages (and may
   * hold some queued ones back until the next reconnect), so a subscriber's view does not show it.
   */
  readonly accepted?: ReadonlyArray<AcceptedPublish>;
  stop(): Promise<void>;
  /**
   * Starts again on the same port; `dropRetained` = come back with an empty store (retained messages and
   * sessions), as a broker that lost its disk.
   */
  start(opts?: { dropRetained?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface AcceptedPublish {
  clientId: string;
  topic: string;
  payload: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** aedes on loopback; stop() closes every connection, start() reopens the same port. */
export async function startEmbeddedBroker(): Promise<TestBroker> {
  const port = await freePort();
  let aedes: Aedes | undefined;
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const accepted: AcceptedPublish[] = [];
  const up = async (dropRetained: boolean) => {
    if (!aedes || dropRetained) {
      aedes?.close();
      aedes = await Aedes.createBroker();
      // emitted once the broker has taken the message (queued and forwarded), in the order of its client's stream
      aedes.on('publish', (packet, client) => {
        if (client) accepted.push({ clientId: client.id, topic: packet.topic, payload: packet.payload.toString() });
      });
    }
    const a = aedes;
    server = createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      a.handle(sock);
    });
    await new Promise<void>((r) => server?.listen(port, '127.0.0.1', () => r()));
  };
  const down = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  };
  await up(false);
  return {
    kind: 'embedded',
    port,
    accepted,
    url: `mqtt://127.0.0.1:${port}`,
    stop: down,
    start: (o) => up(o?.dropRetained ?? false),
    close: async () => {
      await down();
      aedes?.close();
    },
  };
}

export interface Certs {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  expiredCert: string;
  expiredKey: string;
  wrongCa: string;
}

function ossl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** CA, server (127.0.0.1), client (CN = gateway id), an expired client cert, and an unrelated CA. */
export function generateCerts(clientCn = 'gw1'): Certs {
  const dir = mkdtempSync(join(tmpdir(), 'cw-rep-certs-'));
  const j = (f: string) => join(dir, f);
  ossl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=cw-test-ca',
  ]);
  ossl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'wrong-ca.key',
    '-out',
    'wrong-ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=cw-wrong-ca',
  ]);
  writeFileSync(j('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ossl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  ]);
  ossl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  ossl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
    '-subj',
    `/CN=${clientCn}`,
  ]);
  ossl(dir, [
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'client.pem',
    '-days',
    '2',
  ]);
  // expired: `openssl ca` is the 3.0 tool that takes explicit validity dates
  writeFileSync(j('index.txt'), '');
  writeFileSync(j('serial'), '1000\n');
  writeFileSync(
    j('ca.cnf'),
    `[ca]\ndefault_ca=cw\n[cw]\ndir=${dir}\ndatabase=${j('index.txt')}\nserial=${j('serial')}\nnew_certs_dir=${dir}\ndefault_md=sha256\npolicy=any\nunique_subject=no\n[any]\ncommonName=supplied\n`,
  );
  ossl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'expired.key',
    '-out',
    'expired.csr',
    '-subj',
    `/CN=${clientCn}`,
  ]);
  ossl(dir, [
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    'ca.pem',
    '-keyfile',
    'ca.key',
    '-in',
    'expired.csr',
    '-out',
    'expired.pem',
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
    '-notext',
  ]);
  // mosquitto drops root privileges to its own user: it must be able to read these test-only files
  chmodSync(dir, 0o755);
  for (const f of readdirSync(dir)) chmodSync(j(f), 0o644);
  return {
    dir,
    ca: j('ca.pem'),
    serverCert: j('server.pem'),
    serverKey: j('server.key'),
    clientCert: j('client.pem'),
    clientKey: j('client.key'),
    expiredCert: j('expired.pem'),
    expiredKey: j('expired.key'),
    wrongCa: j('wrong-ca.pem'),
  };
}

export interface MosquittoOptions {
  tls?: Certs;
  aclFile?: string;
  /** Keep sessions and retained messages across a SIGTERM restart. */
  persistence?: boolean;
}

/** A real mosquitto from our own config on a free loopback port (no persistence: a restart loses retained). */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<TestBroker> {
  if (!MOSQUITTO_BIN) throw new Error('mosquitto not installed');
  const bin = MOSQUITTO_BIN;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cw-rep-mosq-'));
  const lines = [
    'per_listener_settings false',
    opts.persistence ? `persistence true\npersistence_location ${dir}/` : 'persistence false',
    `listener ${port} 127.0.0.1`,
    // by default mosquitto drops QoS 1 messages for a subscriber more than 1,000 behind (max_queued_messages):
    // a test subscriber slowed by a loaded machine would lose what the agent delivered
    'max_queued_messages 0',
  ];
  if (opts.tls) {
    lines.push(
      `cafile ${opts.tls.ca}`,
      `certfile ${opts.tls.serverCert}`,
      `keyfile ${opts.tls.serverKey}`,
      'require_certificate true',
      'use_identity_as_username true',
    );
  }
  lines.push('allow_anonymous true');
  chmodSync(dir, 0o777);
  // mosquitto started as root reads its files as its own user: a checkout in a 0700 home is out of its reach.
  if (opts.aclFile) lines.push(`acl_file ${readableCopy(opts.aclFile, dir)}`);
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  let proc: ChildProcess | undefined;
  const up = async () => {
    const p = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc = p;
    let err = '';
    p.stderr?.on('data', (d) => {
      err += String(d);
    });
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (p.exitCode !== null) throw new Error(`mosquitto exited: ${err}`);
      const ok = await new Promise<boolean>((r) => {
        const s = new Socket();
        s.once('connect', () => {
          s.destroy();
          r(true);
        });
        s.once('error', () => r(false));
        s.connect(port, '127.0.0.1');
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('mosquitto did not start');
  };
  const down = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGTERM');
    });
  };
  await up();
  return {
    kind: 'mosquitto',
    port,
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    stop: () => down(),
    start: async (o) => {
      // SIGTERM saved the store (with persistence on): losing it is losing this file
      if (o?.dropRetained) rmSync(join(dir, 'mosquitto.db'), { force: true });
      await up();
    },
    close: async () => {
      await down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startBroker(kind: 'embedded' | 'mosquitto', opts: MosquittoOptions = {}): Promise<TestBroker> {
  return kind === 'embedded' ? startEmbeddedBroker() : startMosquitto(opts);
}
