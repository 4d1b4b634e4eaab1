import onvif from 'onvif';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { XmlNode } from '../xml/index.js';
import { createGuardedAgent, type GuardedAgent } from './bounded-agent.js';
import { responseBody } from './responses.js';
import type { OnvifCredentials, OnvifService } from './session.js';

/** The private but stable parts of onvif 0.8.3's Cam that we rely on (see onvif-notes §1.2). */
interface RawCam {
  timeShift?: number;
  uri?: Record<string, unknown>;
  _request(
    options: { service?: string; body: string; action?: string },
    cb: (err: Error | null, data: unknown, xml?: string, statusCode?: number) => void,
  ): void;
  _envelopeHeader(): string;
  _envelopeFooter(): string;
  _parseUrl(address: string): unknown;
  getSystemDateAndTime(cb: (err: Error | null, date: unknown, xml?: string) => void): void;
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

/**
 * One device, through the onvif package's Cam (WS-UsernameToken, HTTP Digest retry, clock offset), with every call
 * wrapped: its own timer, a settle-once guard (the package can call back twice), the guarded agent bounding size,
 * time and DOCTYPE, and errors mapped to our codes. Responses come back as raw XML for our own parser.
 */
export class CamClient {
  private readonly cam: RawCam;
  private readonly guarded: GuardedAgent;
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
  }

  /**
   * Calls go out one at a time over one kept-alive connection: embedded web servers take that best, a connect is
   * saved on every call, and each call's timer starts when it is actually sent, not while it waits its turn.
   */
  private run<T>(operation: string, start: (done: (err: Error | null, value?: T) => void) => void): Promise<T> {
    const turn = this.queue.then(() => this.runNow(operation, start));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** Race a callback-style operation against its own timer; settles exactly once. */
  private runNow<T>(operation: string, start: (done: (err: Error | null, value?: T) => void) => void): Promise<T> {
    if (this.closed) return Promise.reject(new CamwardenError(ErrorCode.Timeout, `${operation}: session closed`));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        finish(new CamwardenError(ErrorCode.Timeout, `${operation}: no answer within ${this.opts.callTimeoutMs} ms`));
      }, this.opts.callTimeoutMs + 50);
      function finish(err: Error | null, value?: T): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value as T);
      }
      try {
        start(finish);
      } catch (err) {
        finish(
          new CamwardenError(ErrorCode.Internal, `${operation}: ${err instanceof Error ? err.message : String(err)}`),
        );
      }
    });
  }

  /** Completes a reply: transport error → mapped error; SOAP fault → mapped error; else the raw XML. */
  private settle(
    operation: string,
    err: Error | null,
    xml: string | undefined,
    statusCode: number | undefined,
  ): { error: CamwardenError } | { reply: RawReply } {
    if (typeof xml === 'string' && xml.length > 0) {
      try {
        const body = responseBody(xml, operation, this.opts.maxResponseBytes);
        if (!err) return { reply: { xml, body, receivedAt: Date.now() } };
      } catch (parseErr) {
        if (parseErr instanceof CamwardenError) return { error: parseErr };
      }
    }
    return { error: mapTransportError(err ?? new Error('empty response'), operation, statusCode) };
  }

  /** GetSystemDateAndTime via the package (it learns the device clock offset for WS-Security from it). */
  getSystemDateAndTime(): Promise<RawReply> {
    const op = 'GetSystemDateAndTime';
    return this.run<RawReply>(op, (done) => {
      this.cam.getSystemDateAndTime((err, _date, xml) => {
        const r = this.settle(op, err, xml, undefined);
        if ('error' in r) done(r.error);
        else done(null, r.reply);
      });
    });
  }

  /** One SOAP body to one service, authenticated the package's way. */
  call(service: OnvifService, operation: string, bodyXml: string): Promise<RawReply> {
    return this.run<RawReply>(operation, (done) => {
      if (service !== 'device' && !this.cam.uri?.[service]) {
        done(
          new CamwardenError(ErrorCode.NotSupported, `${operation}: device does not advertise the ${service} service`),
        );
        return;
      }
      const action = `${SERVICE_NS[service]}/${operation}`;
      const body = this.cam._envelopeHeader() + bodyXml + this.cam._envelopeFooter();
      const options = service === 'device' && !this.cam.uri?.device ? { body, action } : { service, body, action };
      this.cam._request(options, (err, _data, xml, statusCode) => {
        const r = this.settle(operation, err, xml, statusCode);
        if ('error' in r) done(r.error);
        else done(null, r.reply);
      });
    });
  }

  /** Service XAddrs from GetServices/GetCapabilities; preserveAddress pins them to the device's own host. */
  setServiceUrls(services: Partial<Record<OnvifService, string>>): void {
    const uri: Record<string, unknown> = { ...(this.cam.uri ?? {}) };
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
