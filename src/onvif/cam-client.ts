import onvif from 'onvif';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { SerialQueue } from '../util/serial-queue.js';
import type { XmlNode } from '../xml/index.js';
import { NS } from '../xml/namespaces.js';
import { DeviceConnection } from './device-connection.js';
import { parseSystemDateAndTime, responseBodyAsync } from './responses.js';
import type { OnvifCredentials, OnvifService } from './session.js';
import { type DigestMemory, postSoap, type SoapAnswer } from './soap-exchange.js';

/**
 * The parts of onvif 0.8.3's Cam we still use: the WS-Security envelope header (with the device clock offset
 * `timeShift`) and the HTTP Digest answer. Nothing of it ever reads a response (see soap-exchange.ts).
 */
interface SigningCam {
  timeShift?: number;
  _envelopeHeader(): string;
  _envelopeFooter(): string;
  digestAuth(challenges: string[], req: { method: string; path: string }): string | null;
}

export interface CamClientOptions {
  xaddr: URL;
  credentials: OnvifCredentials | undefined;
  callTimeoutMs: number;
  maxResponseBytes: number;
  /** Elements one answer may hold (config onvif.maxResponseElements; default DEFAULT_MAX_XML_ELEMENTS). */
  maxResponseElements?: number;
}

export interface RawReply {
  xml: string;
  /** The element inside SOAP Body, parsed once here (faults already turned into errors). */
  body: XmlNode;
  receivedAt: number;
}

function mapTransportError(err: Error, operation: string): CamwardenError {
  if (err instanceof CamwardenError) {
    return new CamwardenError(err.code, `${operation}: ${err.message}`, err.details);
  }
  const code = (err as NodeJS.ErrnoException).code;
  const message = `${operation}: ${err.message}`.slice(0, 300);
  if (/timeout|ETIMEDOUT/i.test(err.message) || code === 'ETIMEDOUT') {
    return new CamwardenError(ErrorCode.Timeout, message);
  }
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET') {
    return new CamwardenError(ErrorCode.Unreachable, message);
  }
  return new CamwardenError(ErrorCode.InvalidXml, message);
}

const GET_SYSTEM_DATE_AND_TIME = `<GetSystemDateAndTime xmlns="${NS.device}"/>`;
const BARE_ENVELOPE_HEAD = `<s:Envelope xmlns:s="${NS.soap12}"><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">`;

/**
 * One device. Requests are signed the onvif package's way (its Cam builds the WS-UsernameToken with the device
 * clock offset, and answers HTTP Digest challenges), but sent and read here (soap-exchange.ts): the package's
 * response handling never sees device input, and we parse every answer ourselves in slices that yield to the
 * event loop (parseXmlAsync), so no answer holds the process up, whatever its shape within maxResponseBytes and
 * maxResponseElements.
 * Every call has its own timer and a settle-once guard; the device connection bounds size, time and DOCTYPE where the
 * bytes arrive.
 */
export class CamClient {
  private readonly cam: SigningCam;
  private readonly connection: DeviceConnection;
  /** Service → request path on the device's own host (XAddrs pointing elsewhere are never followed). */
  private readonly paths: Partial<Record<OnvifService, string>> = {};
  private closed = false;
  /** The device told its time: later answers do not move the WS-Security clock offset. */
  private deviceClockKnown = false;
  private readonly queue = new SerialQueue();
  /** The device's Digest challenge, answered up front on later calls. */
  private readonly digest: DigestMemory = {};

  constructor(private readonly opts: CamClientOptions) {
    const secure = opts.xaddr.protocol === 'https:';
    const port = opts.xaddr.port === '' ? (secure ? 443 : 80) : Number(opts.xaddr.port);
    this.connection = new DeviceConnection(
      { hostname: opts.xaddr.hostname, port, secure },
      { maxBytes: opts.maxResponseBytes, deadlineMs: opts.callTimeoutMs },
    );
    this.paths.device = `${opts.xaddr.pathname}${opts.xaddr.search}`;
    this.cam = new onvif.Cam({
      hostname: opts.xaddr.hostname,
      port,
      ...(opts.credentials ? { username: opts.credentials.username, password: opts.credentials.password } : {}),
      autoconnect: false,
      useWSSecurity: true,
    }) as unknown as SigningCam;
    // The package dates tokens process.uptime() + timeShift, and an unset timeShift is 1970: until the device tells
    // its time (or when it never does), the gateway's clock is the best guess.
    this.cam.timeShift = Date.now() - process.uptime() * 1000;
  }

  /**
   * Calls go out one at a time over one kept-alive connection: embedded web servers take that best, a connect is
   * saved on every call, and each call's timer starts when it is actually sent, not while it waits its turn.
   */
  private run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return this.queue.run(() => this.runNow(operation, work));
  }

  /** Races one operation against its own timer; settles exactly once. */
  private runNow<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new CamwardenError(ErrorCode.Timeout, `${operation}: session closed`));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        const err = new CamwardenError(
          ErrorCode.Timeout,
          `${operation}: no answer within ${this.opts.callTimeoutMs} ms`,
        );
        // An exchange still on the wire (a Digest retry) would hold the connection from the next call.
        this.connection.abort(err);
        finish(err);
      }, this.opts.callTimeoutMs + 50);
      function finish(err: Error | null, value?: T): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value as T);
      }
      work().then(
        (value) => finish(null, value),
        (err: unknown) => finish(err instanceof Error ? err : new CamwardenError(ErrorCode.Internal, String(err))),
      );
    });
  }

  private post(path: string, envelope: string, action: string): Promise<SoapAnswer> {
    const credentials = this.opts.credentials;
    return postSoap(
      this.connection,
      path,
      envelope,
      action,
      credentials ? (challenges, req) => this.cam.digestAuth(challenges, req) : undefined,
      this.digest,
    );
  }

  /** An answer → the element inside its Body; a fault, a refusal or junk → a CamwardenError naming the operation. */
  private async read(operation: string, answer: SoapAnswer): Promise<RawReply> {
    try {
      const body = await responseBodyAsync(answer.xml, operation, {
        maxBytes: this.opts.maxResponseBytes,
        ...(this.opts.maxResponseElements === undefined ? {} : { maxElements: this.opts.maxResponseElements }),
      });
      return { xml: answer.xml, body, receivedAt: Date.now() };
    } catch (err) {
      if (answer.statusCode === 401 && !(err instanceof CamwardenError && err.code === ErrorCode.Unauthorized)) {
        throw new CamwardenError(ErrorCode.Unauthorized, `${operation}: HTTP 401 without a SOAP fault`);
      }
      throw err;
    }
  }

  private async exchange(operation: string, path: string, envelope: string, action: string): Promise<RawReply> {
    let answer: SoapAnswer;
    try {
      answer = await this.post(path, envelope, action);
    } catch (err) {
      throw mapTransportError(
        err instanceof Error ? err : new CamwardenError(ErrorCode.Internal, String(err)),
        operation,
      );
    }
    return this.read(operation, answer);
  }

  /**
   * GetSystemDateAndTime, unauthenticated first (it is PRE_AUTH, and WS-Security needs the clock offset it gives),
   * then signed for devices that insist (Panasonic, Digital Barriers). The device clock sets the offset of every
   * later WS-UsernameToken, as the package would.
   */
  getSystemDateAndTime(): Promise<RawReply> {
    const op = 'GetSystemDateAndTime';
    const action = `${NS.device}/${op}`;
    const path = this.paths.device as string;
    return this.run(op, async () => {
      let reply: RawReply;
      try {
        reply = await this.exchange(
          op,
          path,
          `${BARE_ENVELOPE_HEAD}${GET_SYSTEM_DATE_AND_TIME}</s:Body></s:Envelope>`,
          action,
        );
      } catch (err) {
        if (!(err instanceof CamwardenError && err.code === ErrorCode.Unauthorized)) throw err;
        reply = await this.exchange(op, path, this.envelope(GET_SYSTEM_DATE_AND_TIME), action);
      }
      const deviceTime = parseSystemDateAndTime(reply.body);
      if (deviceTime && !this.deviceClockKnown) {
        this.cam.timeShift = deviceTime.getTime() - process.uptime() * 1000;
        this.deviceClockKnown = true;
      }
      return reply;
    });
  }

  private envelope(bodyXml: string): string {
    return this.cam._envelopeHeader() + bodyXml + this.cam._envelopeFooter();
  }

  /** One SOAP body to one service, signed the package's way. */
  call(service: OnvifService, operation: string, bodyXml: string): Promise<RawReply> {
    return this.run<RawReply>(operation, async () => {
      const path = this.paths[service];
      if (path === undefined) {
        throw new CamwardenError(
          ErrorCode.NotSupported,
          `${operation}: device does not advertise the ${service} service`,
        );
      }
      return this.exchange(operation, path, this.envelope(bodyXml), `${NS[service]}/${operation}`);
    });
  }

  /** Service XAddrs from GetServices/GetCapabilities: only their paths are used, on the device's own host and port. */
  setServiceUrls(services: Partial<Record<OnvifService, string>>): void {
    for (const [name, xaddr] of Object.entries(services) as Array<[OnvifService, string | undefined]>) {
      if (!xaddr) continue;
      try {
        const url = new URL(xaddr);
        this.paths[name] = `${url.pathname}${url.search}`;
      } catch {
        // an unusable XAddr just leaves the service unavailable
      }
    }
  }

  close(): void {
    this.closed = true;
    this.connection.close();
  }
}
