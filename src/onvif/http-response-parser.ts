import { CamwardenError, ErrorCode } from '../util/errors.js';

/** One complete HTTP/1.x response as a device sent it. */
export interface HttpResponse {
  statusCode: number;
  /** Header fields in order, names lower-cased, values trimmed (a name may repeat: WWW-Authenticate). */
  headers: Array<[name: string, value: string]>;
  body: Buffer;
  /** The device lets the connection carry another request (HTTP/1.1 without `Connection: close`, or 1.0 keep-alive). */
  keepAlive: boolean;
}

export interface ResponseParserLimits {
  /** Bytes one response may take on the wire, status line and headers included. */
  maxBytes: number;
  /** Bytes the status line and header fields may take (Node's own default is 16 KiB). */
  maxHeaderBytes?: number;
}

const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
const NOTHING = Buffer.alloc(0);
/** A chunk-size line: hex digits and extensions nobody needs; anything longer is not HTTP. */
const MAX_CHUNK_LINE = 1024;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DIGITS = /^\d+$/;
const HEX = /^[0-9A-Fa-f]+$/;

type Framing = { kind: 'length'; remaining: number } | { kind: 'chunked' } | { kind: 'until-close' };
type State = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-data-end' | 'trailers' | 'done';

function malformed(why: string): CamwardenError {
  return new CamwardenError(ErrorCode.InvalidXml, `malformed HTTP response: ${why}`);
}

function tooLarge(maxBytes: number): CamwardenError {
  return new CamwardenError(ErrorCode.ResponseTooLarge, `response exceeds the ${maxBytes}-byte cap`);
}

/**
 * Reads one HTTP/1.x response to a POST from bytes as they arrive, within a byte cap: the framing is Content-Length,
 * chunked transfer coding or, without either, the end of the connection (RFC 9112 §6.3). Interim 1xx responses
 * (100 Continue) are skipped. Anything it cannot frame without guessing (conflicting lengths, a bad chunk size, bytes
 * after the response) is refused with a CamwardenError: a device answer is untrusted input, and a response whose end
 * is unclear must never be read as two.
 */
export class HttpResponseParser {
  private readonly maxBytes: number;
  private readonly maxHeaderBytes: number;
  private state: State = 'head';
  private received = 0;
  /** Bytes not yet consumed: part of a header block or of a chunk-size line. */
  private pending: Buffer = NOTHING;
  private status = 0;
  private headers: Array<[string, string]> = [];
  private keepAlive = false;
  private framing: Framing = { kind: 'until-close' };
  private body: Buffer[] = [];
  private chunkRemaining = 0;

  /** The final response's status, once its head is read (0 before). */
  get statusCode(): number {
    return this.status;
  }

  constructor(limits: ResponseParserLimits) {
    this.maxBytes = limits.maxBytes;
    this.maxHeaderBytes = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  }

  /** Feeds bytes; returns the response once it is complete. Bytes past its end are refused (nothing was pipelined). */
  push(chunk: Buffer): HttpResponse | undefined {
    if (this.state === 'done') throw malformed('bytes after the end of the response');
    this.received += chunk.length;
    if (this.received > this.maxBytes) throw tooLarge(this.maxBytes);
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = NOTHING;
    while (data.length > 0) {
      const used = this.step(data);
      if (used < 0) {
        this.pending = data; // an incomplete line: wait for more
        this.checkPending();
        return undefined;
      }
      data = data.subarray(used);
      if (this.complete()) {
        if (data.length > 0) throw malformed('bytes after the end of the response');
        return this.response();
      }
    }
    return this.complete() ? this.response() : undefined;
  }

  /** A method, not a field test, because step() moves the state on. */
  private complete(): boolean {
    return this.state === 'done';
  }

  /** The connection ended: completes a response framed by the close, refuses any other incomplete one. */
  end(): HttpResponse {
    if (this.state === 'body' && this.framing.kind === 'until-close') {
      this.state = 'done';
      this.keepAlive = false;
      return this.response();
    }
    if (this.state === 'done') return this.response();
    throw new CamwardenError(
      ErrorCode.Unreachable,
      this.received === 0 ? 'connection closed before any answer' : 'connection closed before the answer was complete',
    );
  }

  /** Consumes from `data`; returns the bytes used, or -1 when a line is incomplete. */
  private step(data: Buffer): number {
    switch (this.state) {
      case 'head':
        return this.readHead(data);
      case 'body':
        return this.readBody(data);
      case 'chunk-size':
        return this.readChunkSize(data);
      case 'chunk-data': {
        const n = Math.min(this.chunkRemaining, data.length);
        this.body.push(data.subarray(0, n));
        this.chunkRemaining -= n;
        if (this.chunkRemaining === 0) this.state = 'chunk-data-end';
        return n;
      }
      case 'chunk-data-end': {
        const eol = lineEnd(data, 0);
        if (eol === undefined) return data.length < 2 ? -1 : failLine('chunk data not followed by CRLF');
        if (eol.start !== 0) throw malformed('chunk data longer than its size');
        this.state = 'chunk-size';
        return eol.next;
      }
      case 'trailers':
        return this.readTrailers(data);
      case 'done':
        throw malformed('bytes after the end of the response');
    }
  }

  private checkPending(): void {
    const limit = this.state === 'head' || this.state === 'trailers' ? this.maxHeaderBytes : MAX_CHUNK_LINE;
    if (this.pending.length > limit) {
      throw this.state === 'head' || this.state === 'trailers'
        ? malformed(`header section over ${limit} bytes`)
        : malformed('chunk-size line too long');
    }
  }

  private readHead(data: Buffer): number {
    const end = headEnd(data);
    if (end === undefined) {
      if (data.length > this.maxHeaderBytes) throw malformed(`header section over ${this.maxHeaderBytes} bytes`);
      return -1;
    }
    if (end.start > this.maxHeaderBytes) throw malformed(`header section over ${this.maxHeaderBytes} bytes`);
    const lines = data.toString('latin1', 0, end.start).split(/\r?\n/);
    const statusLine = lines[0] ?? '';
    const status = STATUS_LINE.exec(statusLine);
    if (!status) throw malformed(`not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
    const minor = status[1];
    const code = Number(status[2]);
    const headers = parseFields(lines.slice(1));
    if (code >= 100 && code < 200) {
      if (code === 101) throw malformed('101 Switching Protocols to a SOAP request');
      return end.next; // interim response (100 Continue, 103 Early Hints): the real one follows
    }
    this.status = code;
    this.headers = headers;
    this.keepAlive = keepsAlive(minor === '1', headers);
    this.framing = framingOf(code, headers, this.maxBytes);
    if (this.framing.kind === 'until-close') this.keepAlive = false;
    this.state =
      this.framing.kind === 'chunked'
        ? 'chunk-size'
        : this.framing.kind === 'length' && this.framing.remaining === 0
          ? 'done'
          : 'body';
    return end.next;
  }

  private readBody(data: Buffer): number {
    if (this.framing.kind !== 'length') {
      this.body.push(data);
      return data.length;
    }
    const n = Math.min(this.framing.remaining, data.length);
    this.body.push(data.subarray(0, n));
    this.framing.remaining -= n;
    if (this.framing.remaining === 0) this.state = 'done';
    return n;
  }

  private readChunkSize(data: Buffer): number {
    const eol = lineEnd(data, 0);
    if (eol === undefined) return data.length > MAX_CHUNK_LINE ? failLine('chunk-size line too long') : -1;
    const line = data.toString('latin1', 0, eol.start);
    const hex = (line.split(';', 1)[0] ?? '').trim();
    if (!HEX.test(hex) || hex.length > 8) throw malformed(`bad chunk size ${JSON.stringify(line.slice(0, 40))}`);
    const size = Number.parseInt(hex, 16);
    if (this.received - data.length + eol.next + size > this.maxBytes) throw tooLarge(this.maxBytes);
    if (size === 0) this.state = 'trailers';
    else {
      this.chunkRemaining = size;
      this.state = 'chunk-data';
    }
    return eol.next;
  }

  private readTrailers(data: Buffer): number {
    // The last chunk is followed by trailer fields (ignored) and an empty line.
    const eol = lineEnd(data, 0);
    if (eol === undefined) return -1;
    if (eol.start === 0) {
      this.state = 'done';
      return eol.next;
    }
    return eol.next; // one trailer field, skipped
  }

  private response(): HttpResponse {
    return {
      statusCode: this.status,
      headers: this.headers,
      body: this.body.length === 1 ? (this.body[0] as Buffer) : Buffer.concat(this.body),
      keepAlive: this.keepAlive,
    };
  }
}

function failLine(why: string): never {
  throw malformed(why);
}

/** The first line end at or after `from`: CRLF, or a bare LF (which some embedded servers send). */
function lineEnd(data: Buffer, from: number): { start: number; next: number } | undefined {
  const lf = data.indexOf(0x0a, from);
  if (lf < 0) return undefined;
  return { start: lf > from && data[lf - 1] === 0x0d ? lf - 1 : lf, next: lf + 1 };
}

/** The end of the header section: the first empty line. */
function headEnd(data: Buffer): { start: number; next: number } | undefined {
  let from = 0;
  for (;;) {
    const eol = lineEnd(data, from);
    if (eol === undefined) return undefined;
    if (eol.start === from && from > 0) return { start: from, next: eol.next };
    if (eol.start === from && from === 0) throw malformed('empty status line');
    from = eol.next;
  }
}

function parseFields(lines: string[]): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (const line of lines) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon);
    // A space before the colon, or a folded line, lets two readers see different fields: refused (RFC 9112 §5).
    if (!TOKEN.test(name)) throw malformed(`bad header name ${JSON.stringify(name.slice(0, 80))}`);
    fields.push([name.toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return fields;
}

/** The comma-separated list items of every field with this name, trimmed (RFC 9110 §5.3). */
function listItems(headers: Array<[string, string]>, name: string): string[] {
  const items: string[] = [];
  for (const [n, value] of headers) {
    if (n !== name) continue;
    for (const item of value.split(',')) items.push(item.trim());
  }
  return items;
}

function keepsAlive(http11: boolean, headers: Array<[string, string]>): boolean {
  const tokens = listItems(headers, 'connection').map((t) => t.toLowerCase());
  if (tokens.includes('close')) return false;
  return http11 || tokens.includes('keep-alive');
}

/** How the body ends (RFC 9112 §6.3): no body, chunked, Content-Length, or the connection's end. */
function framingOf(code: number, headers: Array<[string, string]>, maxBytes: number): Framing {
  if (code === 204 || code === 304) return { kind: 'length', remaining: 0 };
  const codings = listItems(headers, 'transfer-encoding').map((t) => t.toLowerCase());
  const lengths = listItems(headers, 'content-length');
  if (codings.length > 0) {
    // Chunked must come last; a length beside it is a smuggling attempt or a broken device: refused either way.
    if (codings.at(-1) !== 'chunked' || codings.some((c) => c !== 'chunked' && c !== 'identity')) {
      throw malformed(`unsupported transfer coding ${JSON.stringify(codings.join(', '))}`);
    }
    if (lengths.length > 0) throw malformed('both Transfer-Encoding and Content-Length');
    return { kind: 'chunked' };
  }
  if (lengths.length === 0) return { kind: 'until-close' };
  const distinct = new Set(lengths);
  const only = lengths[0] ?? '';
  if (distinct.size !== 1 || !DIGITS.test(only)) throw malformed(`bad Content-Length ${JSON.stringify(lengths)}`);
  const length = Number(only);
  if (!Number.isSafeInteger(length) || length > maxBytes) throw tooLarge(maxBytes);
  return { kind: 'length', remaining: length };
}
