import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { DigestVerifier, verifyUsernameToken } from './auth.js';
import { buildModel, type DeviceModel, deviceNow, faultApplies, faultOf } from './device-model.js';
import { SimDiscoveryResponder } from './discovery-responder.js';
import { entityBombBody, invalidXmlBody, regexBombBody, streamHugeBody } from './faults.js';
import type { RecordedCall, RunningSimDevice, SimAuthSpec, SimDeviceSpec, SimFault } from './index.js';
import { PRE_AUTH, runOperation } from './operations.js';
import { envelope, FAULTS, type FaultSpec, faultBody, faultStatus, SoapFault } from './soap.js';
import { SERVICE_NAMESPACES, type ServiceKey } from './vendor-styles.js';
import { elements, namespaceOf } from './xml.js';

/** Requests larger than this are refused with 413: a camera has little RAM, and so should the simulator. */
const MAX_REQUEST_BYTES = 1024 * 1024;
const DEFAULT_WS_TOLERANCE_MS = 5 * 60_000;

export interface SimDeviceOptions {
  record(call: RecordedCall): void;
}

const NS_TO_SERVICE = new Map<string, ServiceKey>(
  Object.entries(SERVICE_NAMESPACES).map(([k, v]) => [v, k as ServiceKey]),
);

/** Inserts line breaks between tags, as pretty-printing firmware does (whitespace text nodes included). */
function prettify(xml: string): string {
  return xml.replace(/(<[^>]*>)(?=<)/g, (tag: string, _g: string, offset: number) => {
    const isOpen = !tag.startsWith('</') && !tag.endsWith('/>') && !tag.startsWith('<?');
    const nextIsClose = xml.startsWith('</', offset + tag.length);
    return isOpen && nextIsClose ? tag : `${tag}\n`;
  });
}

/** One simulated ONVIF device: an HTTP SOAP server (this file) and a WS-Discovery responder on its own address. */
export class SimDevice {
  readonly model: DeviceModel;
  readonly running: RunningSimDevice;
  private auth: SimAuthSpec | undefined;
  private readonly digest: DigestVerifier;
  private server: Server | undefined;
  private readonly discovery: SimDiscoveryResponder;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    spec: SimDeviceSpec,
    private readonly opts: SimDeviceOptions,
  ) {
    this.model = buildModel(spec);
    const digestFault = faultOf(this.model.faults, 'digest-only');
    const base = spec.auth;
    if (digestFault) {
      this.auth = {
        mode: 'digest-only',
        username: String(digestFault.username ?? base?.username ?? 'admin'),
        password: String(digestFault.password ?? base?.password ?? 'admin'),
      };
    } else {
      this.auth = base && base.mode !== 'none' ? base : undefined;
    }
    this.digest = new DigestVerifier(spec.vendor === 'hikvision' ? 'IP Camera' : `${this.model.identity.manufacturer}`);
    this.running = {
      spec,
      name: this.model.name,
      endpoint: this.model.endpoint,
      address: this.model.address,
      xaddr: this.model.xaddr,
      state: this.model.state,
      stats: { probes: 0, httpRequests: 0 },
      setPassword: (password: string) => {
        this.auth = { ...(this.auth ?? { mode: 'both', username: 'admin' }), password };
      },
    };
    this.discovery = new SimDiscoveryResponder(this.model, this.running.stats);
  }

  private fault(kind: SimFault['kind']): SimFault | undefined {
    return faultOf(this.model.faults, kind);
  }

  async start(): Promise<void> {
    await this.startHttp();
    await this.discovery.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.discovery.stop();
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of this.sockets) s.destroy();
        server.closeAllConnections();
      });
    }
  }

  // ---------------------------------------------------------------- HTTP

  private startHttp(): Promise<void> {
    const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
      this.onRequest(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500).end();
        } else res.destroy();
      });
    });
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    });
    server.on('clientError', (_err, socket) => {
      if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(
          new CamwardenError(
            ErrorCode.ListenFailed,
            `simulator ${this.model.name}: cannot listen on ${this.model.address}:${this.model.httpPort}: ${err.message}`,
            { errno: (err as NodeJS.ErrnoException).code, socket: 'http' },
          ),
        );
      };
      server.once('error', onError);
      server.listen({ host: this.model.address, port: this.model.httpPort }, () => {
        server.off('error', onError);
        server.on('error', () => undefined);
        const addr = server.address();
        if (addr && typeof addr === 'object' && this.model.httpPort === 0) this.rebase(addr.port);
        resolve();
      });
    });
  }

  /** With httpPort 0 the OS picks the port; URLs follow it. */
  private rebase(port: number): void {
    this.model.httpPort = port;
    this.model.baseUrl = `http://${this.model.address}:${port}`;
    this.model.xaddr = `${this.model.baseUrl}/onvif/device_service`;
    this.running.xaddr = this.model.xaddr;
  }

  private readBody(req: IncomingMessage): Promise<string | undefined> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on('data', (c: Buffer) => {
        if (done) return;
        size += c.length;
        if (size > MAX_REQUEST_BYTES) {
          done = true;
          resolve(undefined);
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        if (!done) {
          done = true;
          resolve(Buffer.concat(chunks).toString('utf8'));
        }
      });
      req.on('error', () => {
        if (!done) {
          done = true;
          resolve(undefined);
        }
      });
    });
  }

  private send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    if (res.destroyed || res.headersSent) return;
    const text = this.model.style.pretty ? prettify(body) : body;
    res.writeHead(status, {
      'Content-Type': 'application/soap+xml; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  }

  private sendFault(res: ServerResponse, fault: FaultSpec, headers: Record<string, string> = {}): void {
    this.send(res, faultStatus(fault), envelope(this.model.style, faultBody(this.model.style, fault)), headers);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.running.stats.httpRequests += 1;
    const body = await this.readBody(req);
    if (this.stopped) return void res.destroy();
    if (body === undefined) {
      res.writeHead(413, { Connection: 'close' }).end();
      return;
    }
    const slow = this.fault('slow');
    const wait = (this.model.spec.answerDelayMs ?? 0) + (slow ? Number(slow.ms ?? 1000) : 0);
    if (wait > 0) await this.delay(wait);
    if (this.stopped) return void res.destroy();

    if (this.fault('non-onvif')) {
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body><h1>404 Not Found</h1></body></html>');
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const servedPaths = new Set(this.model.services.map((s) => s.path));
    if (!servedPaths.has(path)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain' }).end('Method Not Allowed');
      return;
    }
    const parsed = this.parseSoap(body, path);
    if (!parsed) {
      this.record('(malformed)', body.slice(0, 4096), undefined);
      this.sendFault(res, FAULTS.wellFormed);
      return;
    }
    const { operation, service, opXml, headerXml } = parsed;

    // Hostile faults answer before any authentication: such a device does not care who asks.
    const hostile = this.hostileAnswer(operation);
    if (hostile) {
      this.record(operation, opXml, undefined);
      hostile(res);
      return;
    }

    const auth = PRE_AUTH.has(operation) ? { ok: true as const, user: undefined } : this.authenticate(req, headerXml);
    this.record(operation, opXml, auth.ok ? auth.user : undefined);
    if (!auth.ok) {
      auth.reject(res);
      return;
    }
    const faultOn = this.model.faults.find((f) => f.kind === 'soap-fault-on' && faultApplies(f, operation));
    if (faultOn) {
      this.sendFault(res, {
        code: faultOn.code === 'Sender' ? 'Sender' : 'Receiver',
        subcode: String(faultOn.subcode ?? 'ter:Action'),
        reason: String(faultOn.reason ?? `Simulated fault on ${operation}`),
      });
      return;
    }
    try {
      const responseBody = runOperation(this.model, { operation, service, body: opXml });
      this.send(res, 200, envelope(this.model.style, responseBody));
    } catch (err) {
      if (err instanceof SoapFault) this.sendFault(res, err.fault);
      else this.sendFault(res, { code: 'Receiver', subcode: 'ter:Action', reason: 'Internal device error' });
    }
  }

  private parseSoap(
    xml: string,
    path: string,
  ): { operation: string; service: ServiceKey; opXml: string; headerXml: string } | undefined {
    // A camera's SOAP stack has no business with DTDs; refusing them keeps the simulator safe from its clients.
    if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return undefined;
    const env = elements(xml, 'Envelope')[0];
    if (!env) return undefined;
    const bodyEl = elements(env.inner, 'Body')[0];
    if (!bodyEl) return undefined;
    const first = /<(?:([\w.-]+):)?([A-Za-z_][\w.-]*)(\s[^>]*?)?\/?>/.exec(bodyEl.inner);
    if (!first?.[2]) return undefined;
    const operation = first[2];
    const ns = namespaceOf(xml, first[1] ?? '', first[3] ?? '');
    const byNs = ns ? NS_TO_SERVICE.get(ns) : undefined;
    const byPath = this.model.services.find((s) => s.path === path)?.key ?? 'device';
    return {
      operation,
      service: byNs ?? byPath,
      opXml: bodyEl.inner.trim(),
      headerXml: elements(env.inner, 'Header')[0]?.inner ?? '',
    };
  }

  private hostileAnswer(operation: string): ((res: ServerResponse) => void) | undefined {
    const applies = (kind: SimFault['kind']): SimFault | undefined => {
      const f = this.fault(kind);
      return f && faultApplies(f, operation) ? f : undefined;
    };
    if (applies('hang')) return () => undefined; // keep the socket open and never answer
    const huge = applies('huge-body');
    if (huge) {
      const bytes = Number(huge.bytes ?? 30 * 1024 * 1024);
      return (res) => streamHugeBody(res, this.model.style, operation, bytes);
    }
    if (applies('entity-bomb')) {
      return (res) => this.sendRaw(res, 200, entityBombBody(this.model.style, operation));
    }
    const regexBomb = applies('regex-bomb');
    if (regexBomb) {
      const bytes = Number(regexBomb.bytes ?? 1.9 * 1024 * 1024);
      const body = regexBombBody(this.model.style, operation, bytes, String(regexBomb.variant ?? 'text'));
      return (res) => this.sendRaw(res, 200, body);
    }
    const invalid = applies('invalid-xml');
    if (invalid) {
      return (res) =>
        this.sendRaw(res, 200, invalidXmlBody(this.model.style, operation, String(invalid.variant ?? 'mismatched')));
    }
    return undefined;
  }

  private sendRaw(res: ServerResponse, status: number, body: string): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(status, {
      'Content-Type': 'application/soap+xml; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  }

  private authenticate(
    req: IncomingMessage,
    headerXml: string,
  ): { ok: true; user: string | undefined } | { ok: false; reject: (res: ServerResponse) => void } {
    const auth = this.auth;
    if (!auth) return { ok: true, user: undefined };
    const notAuthorized = (res: ServerResponse): void => this.sendFault(res, FAULTS.notAuthorized);
    const challenge =
      (stale: boolean) =>
      (res: ServerResponse): void => {
        const headers = { 'WWW-Authenticate': this.digest.challenge(stale) };
        if (this.model.spec.vendor === 'hikvision') {
          // Hikvision answers a missing digest with an HTML page, not SOAP (noted in the onvif package).
          const html =
            '<!DOCTYPE html><html><head><title>Document Error: Unauthorized</title></head><body><h2>Access Error: 401 -- Unauthorized</h2></body></html>';
          if (!res.headersSent) res.writeHead(401, { ...headers, 'Content-Type': 'text/html' }).end(html);
          return;
        }
        this.send(res, 401, envelope(this.model.style, faultBody(this.model.style, FAULTS.notAuthorized)), headers);
      };
    const authorization = req.headers.authorization;
    const useDigest = auth.mode === 'digest-only' || auth.mode === 'both';
    const useWs = auth.mode === 'ws-security' || auth.mode === 'both';
    if (useDigest && authorization) {
      const user = this.digest.verify(authorization, req.method ?? 'POST', auth);
      if (user === 'stale') return { ok: false, reject: challenge(true) };
      if (user !== undefined) return { ok: true, user };
      if (!useWs) return { ok: false, reject: challenge(false) };
    }
    if (useWs) {
      const tolerance = auth.createdToleranceMs ?? DEFAULT_WS_TOLERANCE_MS;
      const ws = verifyUsernameToken(headerXml, auth, deviceNow(this.model), tolerance);
      if (ws.kind === 'valid') return { ok: true, user: ws.user };
      if (ws.kind === 'invalid' || !useDigest) return { ok: false, reject: notAuthorized };
    }
    return { ok: false, reject: challenge(false) };
  }

  private record(operation: string, body: string, user: string | undefined): void {
    const call: RecordedCall = { device: this.model.name, operation, body, at: Date.now() };
    if (user !== undefined) call.user = user;
    this.opts.record(call);
  }

  private delay(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}
