import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { declaresDoctype } from '../xml/doctype.js';
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

/** Bytes of one chunk kept to find a declaration that the next chunk completes. */
const WIRE_TAIL = 16;
/**
 * Where the kernel's bytes land for plain-TCP connections (net's `onread`): one buffer for all of them, since each
 * read is copied out before the callback returns. It spares every read the stream machinery and a fresh Buffer,
 * which is 2–6% of a 200-camera `camwarden scan` (bench/scan.mjs; docs/architecture.md).
 */
const READ_BUFFER = Buffer.alloc(64 * 1024);
/** What a request target or a field value may hold: visible ASCII and spaces, never CR or LF (no header injection). */
const SAFE_PATH = /^\/[\x21-\x7e]*$/;
const SAFE_VALUE = /^[\x20-\x7e]*$/;

/** A reused connection that ended or failed before a byte of the answer: the device closed it as we wrote. */
class StaleConnection extends CamwardenError {
  constructor(readonly original: Error) {
    super(ErrorCode.Unreachable, original.message, undefined, { cause: original });
  }
}

/** The request in flight on one socket: where that socket's events go until its answer settles. */
interface Exchange {
  socket: Socket;
  data(chunk: Buffer): void;
  /** The device ended or closed the connection. */
  end(): void;
  error(err: Error): void;
}

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
  private exchange: Exchange | undefined;
  private closed = false;

  constructor(
    private readonly address: DeviceAddress,
    private readonly limits: ConnectionLimits,
  ) {}

  /** Sends one POST and resolves with the complete response; rejects with the transport's or the limits' error. */
  post(request: HttpPost): Promise<HttpResponse> {
    if (this.closed) return Promise.reject(new CamwardenError(ErrorCode.Timeout, 'session closed'));
    if (this.exchange) {
      return Promise.reject(new CamwardenError(ErrorCode.Internal, 'one request at a time per device'));
    }
    if (!SAFE_PATH.test(request.path)) {
      return Promise.reject(new CamwardenError(ErrorCode.InvalidRequest, 'request path with unsafe characters'));
    }
    for (const [name, value] of Object.entries(request.headers)) {
      if (!SAFE_VALUE.test(value)) {
        return Promise.reject(new CamwardenError(ErrorCode.InvalidRequest, `${name}: value with unsafe characters`));
      }
    }
    const reused = this.socket !== undefined;
    const first = this.send(request);
    if (!reused) return first;
    // A kept-alive connection that ends or fails before a byte of the answer: the device closed it while the request
    // was on its way (its keep-alive ran out), so the request goes once more on a new connection, as browsers do. A
    // timeout, a partial answer or a failure on a new connection is the answer.
    return first.catch((err: unknown) => {
      if (!(err instanceof StaleConnection) || this.closed) throw err instanceof StaleConnection ? err.original : err;
      return this.send(request);
    });
  }

  private send(request: HttpPost): Promise<HttpResponse> {
    const reused = this.socket !== undefined;
    const socket = this.socket ?? this.open();
    this.socket = socket;
    return new Promise<HttpResponse>((resolve, reject) => {
      const parser = new HttpResponseParser({ maxBytes: this.limits.maxBytes });
      let tail = '';
      let received = 0;
      const finish = (err: Error | undefined, response?: HttpResponse): void => {
        if (this.exchange !== exchange) return; // settled already
        this.exchange = undefined;
        clearTimeout(timer);
        if (err || !response?.keepAlive || this.closed) this.drop(socket);
        if (!err) resolve(response as HttpResponse);
        else if (reused && received === 0 && !(err instanceof CamwardenError && err.code === ErrorCode.Timeout)) {
          reject(new StaleConnection(err));
        } else reject(err);
      };
      const exchange: Exchange = {
        socket,
        data(chunk) {
          received += chunk.length;
          let response: HttpResponse | undefined;
          try {
            response = parser.push(chunk);
          } catch (err) {
            finish(err as Error);
            return;
          }
          // A challenge's body is never parsed, and Hikvision's 401 page is HTML with a DOCTYPE: only what may reach
          // the XML parser is refused here. `tail` carries a declaration split between two chunks.
          const boundary = tail + chunk.toString('latin1', 0, WIRE_TAIL);
          const refuse =
            parser.statusCode !== 401 &&
            (declaresDoctype(boundary) || (chunk.includes('<!') && declaresDoctype(chunk.toString('latin1'))));
          if (refuse) {
            finish(new CamwardenError(ErrorCode.DoctypeRefused, 'response with a DOCTYPE/ENTITY declaration refused'));
            return;
          }
          tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - WIRE_TAIL))).slice(-WIRE_TAIL);
          if (response) finish(undefined, response);
        },
        end() {
          try {
            finish(undefined, parser.end());
          } catch (err) {
            finish(err as Error);
          }
        },
        error: (err) => finish(err),
      };
      const timer = setTimeout(() => {
        finish(new CamwardenError(ErrorCode.Timeout, `no complete answer within ${this.limits.deadlineMs} ms`));
      }, this.limits.deadlineMs);
      this.exchange = exchange;
      socket.write(this.requestText(request));
    });
  }

  /**
   * Ends the request in flight, if any, with `reason` (its caller's own time ran out): the connection goes with it, so
   * the next request opens a new one instead of finding this one busy.
   */
  abort(reason: Error): void {
    this.exchange?.error(reason);
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
    // Events go to the request in flight on this socket. Between requests nobody listens: bytes then belong to no
    // answer and could pass for the next one, so they retire the connection, as a close or an error does.
    const inFlight = (): Exchange | undefined => (this.exchange?.socket === socket ? this.exchange : undefined);
    const onData = (chunk: Buffer): void => {
      const exchange = inFlight();
      if (exchange) exchange.data(chunk);
      else this.drop(socket);
    };
    const socket: Socket = this.address.secure
      ? // Cameras ship self-signed certificates; TLS still keeps credentials off the wire.
        tlsConnect({
          host,
          port: this.address.port,
          rejectUnauthorized: false,
          ...(isIP(host) === 0 ? { servername: host } : {}),
        }).on('data', onData)
      : tcpConnect({
          host,
          port: this.address.port,
          onread: {
            buffer: READ_BUFFER,
            // The parser keeps parts of a chunk until its answer is complete: each read is copied out of the buffer.
            callback: (bytes, buffer) => {
              onData(Buffer.from(buffer.subarray(0, bytes)));
              return true;
            },
          },
        });
    socket.setNoDelay(true);
    const ended = (): void => {
      const exchange = inFlight();
      if (exchange) exchange.end();
      else this.drop(socket);
    };
    socket.on('end', ended);
    socket.on('close', ended);
    socket.on('error', (err) => {
      const exchange = inFlight();
      if (exchange) exchange.error(err);
      else this.drop(socket);
    });
    return socket;
  }

  private drop(socket: Socket): void {
    if (this.socket === socket) this.socket = undefined;
    socket.destroy();
  }
}
