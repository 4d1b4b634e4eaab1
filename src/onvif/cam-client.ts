import onvif from 'onvif';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { XmlNode } from '../xml/index.js';
import { createGuardedAgent, type GuardedAgent } from './bounded-agent.js';
import { parseSystemDateAndTime, responseBody } from './responses.js';
import type { OnvifCredentials, OnvifService } from './session.js';
import { type CancelHandle, type SoapExchange, SoapPoster } from './soap-post.js';

/** The private but stable parts of onvif 0.8.3's Cam that we rely on (see onvif-notes §1.2). */
interface RawCam {
  timeShift?: number;
  path: string;
  uri?: Record<string, { path?: string } | undefined>;
  _envelopeHeader(): string;
  _envelopeFooter(): string;
  _parseUrl(address: string): { path?: string };
  digestAuth(challenges: string[], request: { method: string; path: string }): string | null;
  on(event: string, listener: (...args: unknown[]) => void): void;
}

export interface CamClientOptions {
  xaddr: URL;
  credentials: OnvifCredentials | undefined;
  callTimeoutMs: number;
  maxResponseBytes: number;
}

export interface RawReply {
  xml: string;
  /** The element inside SOAP Body, parsed once here (faults already turned into errors). */
  body: XmlNode;
  receivedAt: number;
}

export const SERVICE_NS: Record<OnvifService, string> = {
  device: 'http://www.onvif.org/ver10/device/wsdl',
  media: 'http://www.onvif.org/ver10/media/wsdl',
  media2: 'http://www.onvif.org/ver20/media/wsdl',
  recording: 'http://www.onvif.org/ver10/recording/wsdl',
  search: 'http://www.onvif.org/ver10/search/wsdl',
  replay: 'http://www.onvif.org/ver10/replay/wsdl',
};

function mapTransportError(err: Error, operation: string, statusCode: number | undefined): CamwardenError {
  if (err instanceof CamwardenError) {
    return new CamwardenError(err.code, `${operation}: ${err.message}`, err.details);
  }
  const code = (err as NodeJS.ErrnoException).code;
  const message = `${operation}: ${err.message}`.slice(0, 300);
  if (/Network timeout|ETIMEDOUT/i.test(err.message) || code === 'ETIMEDOUT') {
    return new CamwardenError(ErrorCode.Timeout, message);
  }
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET') {
    return new CamwardenError(ErrorCode.Unreachable, message);
  }
  if (statusCode === 401 || /authenticat|unauthori[sz]ed/i.test(err.message)) {
    return new CamwardenError(ErrorCode.Unauthorized, message);
  }
  return new CamwardenError(ErrorCode.InvalidXml, message);
}

const UNAUTHENTICATED_TIME_REQUEST =
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>' +
  '<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>';
const NOT_AUTHORIZED = /sender not authorized|unauthorized|notauthorized/i;

/**
 * One device, authenticated the onvif package's way (its Cam builds the WS-UsernameToken from the device clock offset
 * and computes HTTP Digest answers), with every call wrapped: its own timer, a settle-once guard, the guarded agent
 * bounding size, time and DOCTYPE, and errors mapped to our codes. Requests go out through SoapPoster and responses
 * come back as raw XML for our own parser (docs/scan-json.md says which calls a scan makes).
 */
export class CamClient {
  private readonly cam: RawCam;
  private readonly guarded: GuardedAgent;
  private readonly poster: SoapPoster;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: CamClientOptions) {
    const secure = opts.xaddr.protocol === 'https:';
    this.guarded = createGuardedAgent(secure, { maxBytes: opts.maxResponseBytes, deadlineMs: opts.callTimeoutMs });
    const port = opts.xaddr.port === '' ? (secure ? 443 : 80) : Number(opts.xaddr.port);
    this.cam = new onvif.Cam({
      hostname: opts.xaddr.hostname,
      port,
      path: `${opts.xaddr.pathname}${opts.xaddr.search}`,
      ...(opts.credentials ? { username: opts.credentials.username, password: opts.credentials.password } : {}),
      timeout: opts.callTimeoutMs,
      autoconnect: false,
      useWSSecurity: true,
      useSecure: secure,
      preserveAddress: true,
      agent: this.guarded.agent,
    }) as unknown as RawCam;
    // An 'error' event with no listener would throw; the package emits 'warning' too.
    this.cam.on('error', () => {});
    this.cam.on('warning', () => {});
    this.poster = new SoapPoster({
      hostname: opts.xaddr.hostname,
      port,
      secure,
      agent: this.guarded.agent,
      digestAuth: opts.credentials ? (challenges, request) => this.cam.digestAuth(challenges, request) : undefined,
    });
  }

  /**
   * Calls go out one at a time over one kept-alive connection: embedded web servers take that best, a connect is
   * saved on every call, and each call's timer starts when it is actually sent, not while it waits its turn.
   */
  private run<T>(
    operation: string,
    start: (done: (err: Error | null, value?: T) => void, handle: CancelHandle) => void,
  ): Promise<T> {
    const turn = this.queue.then(() => this.runNow(operation, start));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** Race a callback-style operation against its own timer (which also cancels its request); settles exactly once. */
  private runNow<T>(
    operation: string,
    start: (done: (err: Error | null, value?: T) => void, handle: CancelHandle) => void,
  ): Promise<T> {
    if (this.closed) return Promise.reject(new CamwardenError(ErrorCode.Timeout, `${operation}: session closed`));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const handle: CancelHandle = {};
      const timer = setTimeout(() => {
        const err = new CamwardenError(
          ErrorCode.Timeout,
          `${operation}: no answer within ${this.opts.callTimeoutMs} ms`,
        );
        finish(err);
        handle.cancel?.(err);
      }, this.opts.callTimeoutMs + 50);
      function finish(err: Error | null, value?: T): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value as T);
      }
      try {
        start(finish, handle);
      } catch (err) {
        finish(
          new CamwardenError(ErrorCode.Internal, `${operation}: ${err instanceof Error ? err.message : String(err)}`),
        );
      }
    });
  }

  /**
   * Completes an exchange: a SOAP fault → its mapped error; a 2xx SOAP envelope → the reply; any other answer → an
   * error by status (401 = unauthorized).
   */
  private settle(operation: string, exchange: SoapExchange): RawReply {
    const { xml, status } = exchange;
    let parseErr: unknown;
    if (xml.length > 0) {
      try {
        const body = responseBody(xml, operation, this.opts.maxResponseBytes);
        if (status >= 200 && status < 300) return { xml, body, receivedAt: Date.now() };
      } catch (err) {
        if (err instanceof CamwardenError && err.code !== ErrorCode.InvalidXml) throw err;
        parseErr = err;
      }
    }
    if (status === 401) throw new CamwardenError(ErrorCode.Unauthorized, `${operation}: HTTP 401 (not authorized)`);
    if (parseErr instanceof CamwardenError) throw parseErr;
    throw new CamwardenError(
      ErrorCode.InvalidXml,
      `${operation}: HTTP ${status} ${xml.length > 0 ? 'without a SOAP answer' : 'with an empty body'}`,
    );
  }

  /** One exchange under the call's timer: transport errors mapped to our codes, the answer settled. */
  private exchange(operation: string, path: string, action: string, envelope: () => string): Promise<RawReply> {
    return this.run<RawReply>(operation, (done, handle) => {
      this.poster.post(path, action, envelope(), handle).then(
        (exchange) => {
          try {
            done(null, this.settle(operation, exchange));
          } catch (err) {
            done(err as Error);
          }
        },
        (err: Error) => done(mapTransportError(err, operation, undefined)),
      );
    });
  }

  /**
   * GetSystemDateAndTime, unauthenticated first as the spec intends and authenticated where a device insists; it
   * gives the device clock offset the WS-Security timestamps are computed from (as the package's own call would).
   */
  async getSystemDateAndTime(): Promise<RawReply> {
    const op = 'GetSystemDateAndTime';
    const action = `${SERVICE_NS.device}/${op}`;
    const path = this.cam.path;
    let reply: RawReply;
    try {
      reply = await this.exchange(op, path, action, () => UNAUTHENTICATED_TIME_REQUEST);
    } catch (err) {
      const refused =
        err instanceof CamwardenError && (err.code === ErrorCode.Unauthorized || NOT_AUTHORIZED.test(err.message));
      if (!refused || !this.opts.credentials) throw err;
      reply = await this.exchange(op, path, action, () => this.envelope(`<${op} xmlns="${SERVICE_NS.device}"/>`));
    }
    if (this.cam.timeShift === undefined) {
      const deviceTime = parseSystemDateAndTime(reply.body)?.getTime() ?? Date.now();
      this.cam.timeShift = deviceTime - process.uptime() * 1000;
    }
    return reply;
  }

  private envelope(bodyXml: string): string {
    return this.cam._envelopeHeader() + bodyXml + this.cam._envelopeFooter();
  }

  /** One SOAP body to one service, authenticated the package's way. */
  call(service: OnvifService, operation: string, bodyXml: string): Promise<RawReply> {
    const uri = this.cam.uri?.[service];
    if (service !== 'device' && !uri) {
      return Promise.reject(
        new CamwardenError(ErrorCode.NotSupported, `${operation}: device does not advertise the ${service} service`),
      );
    }
    const path = uri?.path ?? this.cam.path;
    // The envelope is built when the call is sent, so its WS-Security timestamp is fresh.
    return this.exchange(operation, path, `${SERVICE_NS[service]}/${operation}`, () => this.envelope(bodyXml));
  }

  /** Service XAddrs from GetServices/GetCapabilities; preserveAddress pins them to the device's own host. */
  setServiceUrls(services: Partial<Record<OnvifService, string>>): void {
    const uri: Record<string, { path?: string } | undefined> = { ...(this.cam.uri ?? {}) };
    for (const [name, xaddr] of Object.entries(services)) {
      if (!xaddr) continue;
      try {
        new URL(xaddr);
        uri[name] = this.cam._parseUrl(xaddr);
      } catch {
        // an unusable XAddr just leaves the service unavailable
      }
    }
    this.cam.uri = uri;
  }

  close(): void {
    this.closed = true;
    this.guarded.destroyAll();
    this.guarded.agent.destroy();
  }
}
