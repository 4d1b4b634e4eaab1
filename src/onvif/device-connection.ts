import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { type HttpResponse, HttpResponseParser } from './http-response-parser.js';

export interface DeviceAddress {
  /** As in a URL: an IPv6 literal in brackets. */
  hostname: string;
  port: number;
  secure: boolean;
}

export interface ConnectionLimits {
  /** Bytes one response may take (headers + body) before its connection is destroyed. */
  maxBytes: number;
  /** Hard lifetime of one exchange, ms: a device trickling one byte a second cannot hold us. */
  deadlineMs: number;
}

export interface HttpPost {
  path: string;
  /** Extra request fields (Content-Type, Authorization); Host, Content-Length and Connection are set here. */
  headers: Record<string, string>;
  body: string;
}

const DTD_AT_WIRE = /<!\s*(DOCTYPE|ENTITY)/i;
/** What a request target or a field value may hold: visible ASCII and spaces, never CR or LF (no header injection). */
const SAFE_PATH = /^\/[\x21-\x7e]*$/;
const SAFE_VALUE = /^[\x20-\x7e]*$/;

/**
 * One device's HTTP/1.1 connection, kept alive between calls: POSTs go out one at a time (the caller serialises
 * them) and every answer is read by HttpResponseParser within the byte cap, refused the moment a DOCTYPE or ENTITY
 * declaration appears on the wire, and bounded by a deadline. Any violation destroys the connection; the next POST
 * opens a new one. Written for the device calls alone, instead of node:http's client: it carries a scan's thousand
 * small exchanges for less than half the CPU (bench/scan.mjs; docs/architecture.md), and its limits sit where the
 * bytes arrive.
 */
export class DeviceConnection {
  private socket: Socket | undefined;
  private busy = false;
  private closed = false;

  constructor(
    private readonly address: DeviceAddress,
    private readonly limits: ConnectionLimits,
  ) {}

  /** Sends one POST and resolves with the complete response; rejects with the transport's or the limits' error. */
  post(request: HttpPost): Promise<HttpResponse> {
    if (this.closed) return Promise.reject(new CamwardenError(ErrorCode.Timeout, 'session closed'));
    if (this.busy) return Promise.reject(new CamwardenError(ErrorCode.Internal, 'one request at a time per device'));
    if (!SAFE_PATH.test(request.path)) {
      return Promise.reject(new CamwardenError(ErrorCode.InvalidRequest, 'request path with unsafe characters'));
    }
    for (const [name, value] of Object.entries(request.headers)) {
      if (!SAFE_VALUE.test(value)) {
        return Promise.reject(new CamwardenError(ErrorCode.InvalidRequest, `${name}: value with unsafe characters`));
      }
    }
    this.busy = true;
    const socket = this.socket ?? this.open();
    this.socket = socket;
    return new Promise<HttpResponse>((resolve, reject) => {
      const parser = new HttpResponseParser({ maxBytes: this.limits.maxBytes });
      let tail = '';
      let settled = false;
      const finish = (err: Error | undefined, response?: HttpResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onClose);
        socket.off('error', onError);
        this.busy = false;
        if (err || !response?.keepAlive || this.closed) this.drop(socket);
        if (err) reject(err);
        else resolve(response as HttpResponse);
      };
      const onData = (chunk: Buffer): void => {
        let response: HttpResponse | undefined;
        try {
          response = parser.push(chunk);
        } catch (err) {
          finish(err as Error);
          return;
        }
        // A challenge's body is never parsed, and Hikvision's 401 page is HTML with a DOCTYPE: only what may reach
        // the XML parser is refused here.
        const text = tail + chunk.toString('latin1');
        if (parser.statusCode !== 401 && DTD_AT_WIRE.test(text)) {
          finish(new CamwardenError(ErrorCode.DoctypeRefused, 'response with a DOCTYPE/ENTITY declaration refused'));
          return;
        }
        tail = text.slice(-16);
        if (response) finish(undefined, response);
      };
      const onEnd = (): void => {
        try {
          finish(undefined, parser.end());
        } catch (err) {
          finish(err as Error);
        }
      };
      const onClose = (): void => onEnd();
      const onError = (err: Error): void => finish(err);
      const timer = setTimeout(() => {
        finish(new CamwardenError(ErrorCode.Timeout, `no complete answer within ${this.limits.deadlineMs} ms`));
      }, this.limits.deadlineMs);
      socket.on('data', onData);
      socket.on('end', onEnd);
      socket.on('close', onClose);
      socket.on('error', onError);
      socket.write(this.requestText(request));
    });
  }

  /** Ends the connection; later POSTs are refused. */
  close(): void {
    this.closed = true;
    if (this.socket) this.drop(this.socket);
  }

  private requestText(request: HttpPost): string {
    const { hostname, port, secure } = this.address;
    const host = port === (secure ? 443 : 80) ? hostname : `${hostname}:${port}`;
    let head = `POST ${request.path} HTTP/1.1\r\nHost: ${host}\r\n`;
    for (const [name, value] of Object.entries(request.headers)) head += `${name}: ${value}\r\n`;
    head += `Content-Length: ${Buffer.byteLength(request.body, 'utf8')}\r\nConnection: keep-alive\r\n\r\n`;
    return head + request.body;
  }

  private open(): Socket {
    const host = this.address.hostname.replace(/^\[(.*)\]$/, '$1');
    const socket = this.address.secure
      ? // Cameras ship self-signed certificates; TLS still keeps credentials off the wire.
        tlsConnect({
          host,
          port: this.address.port,
          rejectUnauthorized: false,
          ...(isIP(host) === 0 ? { servername: host } : {}),
        })
      : tcpConnect({ host, port: this.address.port });
    socket.setNoDelay(true);
    // Between exchanges nobody listens: a device closing or resetting an idle connection only retires it.
    const retire = (): void => {
      if (!this.busy && this.socket === socket) this.socket = undefined;
    };
    socket.on('error', retire);
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
    });
    socket.on('end', retire);
    // Bytes from the device while no request is out belong to no answer: the connection is not trusted again.
    socket.on('data', () => {
      if (this.busy) return;
      if (this.socket === socket) this.socket = undefined;
      socket.destroy();
    });
    return socket;
  }

  private drop(socket: Socket): void {
    if (this.socket === socket) this.socket = undefined;
    socket.destroy();
  }
}
