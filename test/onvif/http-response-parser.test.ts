import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HttpResponse, HttpResponseParser } from '../../src/onvif/http-response-parser.js';
import { CamwardenError, ErrorCode } from '../../src/util/errors.js';

const LIMITS = { maxBytes: 64 * 1024 };

/** Feeds `wire` in pieces cut at `cuts`; ends the stream when `close` is set. */
function read(wire: Buffer | string, cuts: number[] = [], close = false, limits = LIMITS): HttpResponse | undefined {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
  const parser = new HttpResponseParser(limits);
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, bytes.length]) {
    const done = parser.push(bytes.subarray(from, to));
    from = to;
    if (done) {
      if (from < bytes.length) parser.push(bytes.subarray(from)); // must throw: bytes after the end
      return done;
    }
  }
  return close ? parser.end() : undefined;
}

function refusal(fn: () => unknown): CamwardenError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CamwardenError);
    return err as CamwardenError;
  }
  throw new Error('expected a refusal');
}

const body = '<s:Envelope><s:Body><x>ü</x></s:Body></s:Envelope>';
const bodyBytes = Buffer.byteLength(body);

describe('HttpResponseParser: framing', () => {
  it('Content-Length: the body is exactly that many bytes, and the connection is kept alive on HTTP/1.1', () => {
    const wire = `HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: ${bodyBytes}\r\n\r\n${body}`;
    const r = read(Buffer.from(wire, 'utf8'));
    expect(r?.statusCode).toBe(200);
    expect(r?.body.toString('utf8')).toBe(body);
    expect(r?.keepAlive).toBe(true);
    expect(r?.headers).toContainEqual(['content-type', 'application/soap+xml']);
  });

  it('waits for the rest of a body cut short, and ends with an error if the connection closes first', () => {
    const wire = `HTTP/1.1 200 OK\r\nContent-Length: ${bodyBytes + 5}\r\n\r\n${body}`;
    expect(read(Buffer.from(wire, 'utf8'))).toBeUndefined();
    expect(refusal(() => read(Buffer.from(wire, 'utf8'), [], true)).code).toBe(ErrorCode.Unreachable);
  });

  it('chunked transfer coding, with extensions and trailers', () => {
    const wire =
      'HTTP/1.1 500 Internal\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\n<a>12\r\n3\r\n</a\r\n1\r\n>\r\n0\r\nX-Trailer: y\r\n\r\n';
    const r = read(wire);
    expect(r?.statusCode).toBe(500);
    expect(r?.body.toString()).toBe('<a>12</a>');
  });

  it('no length: the body runs to the end of the connection, which is then not reused', () => {
    const r = read(`HTTP/1.0 200 OK\r\n\r\n${body}`, [], true);
    expect(r?.body.toString('latin1')).toBe(body);
    expect(r?.keepAlive).toBe(false);
  });

  it('Connection: close and HTTP/1.0 without keep-alive are honoured; 1.0 keep-alive is kept', () => {
    expect(read('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')?.keepAlive).toBe(false);
    expect(read('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')?.keepAlive).toBe(false);
    expect(read('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n')?.keepAlive).toBe(true);
  });

  it('skips interim responses (100 Continue) and reads the final one', () => {
    const r = read(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok`);
    expect(r?.statusCode).toBe(200);
    expect(r?.body.toString()).toBe('ok');
  });

  it('204 has no body; repeated WWW-Authenticate fields are all kept in order', () => {
    expect(read('HTTP/1.1 204 No Content\r\n\r\n')?.body.length).toBe(0);
    const r = read(
      'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="a"\r\nWWW-Authenticate: Basic realm="b"\r\nContent-Length: 0\r\n\r\n',
    );
    expect(r?.headers.filter(([n]) => n === 'www-authenticate').map(([, v]) => v)).toEqual([
      'Digest realm="a"',
      'Basic realm="b"',
    ]);
  });

  it('bare LF line ends (some embedded servers) frame the same', () => {
    expect(read(`HTTP/1.1 200 OK\nContent-Length: 2\n\nok`)?.body.toString()).toBe('ok');
  });
});

describe('HttpResponseParser: refusals (a response whose end is unclear is never read)', () => {
  it.each([
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['HTTP/2 status line', 'HTTP/2 200\r\n\r\n'],
    ['space before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n'],
    ['folded header', 'HTTP/1.1 200 OK\r\nX: a\r\n  b\r\nContent-Length: 0\r\n\r\n'],
    ['conflicting lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok'],
    ['a negative length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['chunked and a length', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n0\r\n\r\n'],
    ['an unknown coding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['chunk data longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n0\r\n\r\n'],
    ['bytes after the end', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n'],
    ['101 to a POST', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'],
  ])('%s → invalid-xml (malformed HTTP response)', (_why, wire) => {
    const err = refusal(() => read(wire));
    expect(err.code).toBe(ErrorCode.InvalidXml);
    expect(err.message).toMatch(/^malformed HTTP response/);
  });

  it('a Content-Length over the cap is refused before a byte of the body arrives', () => {
    const err = refusal(() =>
      read('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n', [], false, { maxBytes: 1000 }),
    );
    expect(err.code).toBe(ErrorCode.ResponseTooLarge);
  });

  it('a chunk size over the cap is refused at its size line', () => {
    const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFF\r\n';
    expect(refusal(() => read(wire, [], false, { maxBytes: 1000 })).code).toBe(ErrorCode.ResponseTooLarge);
  });

  it('a body without length past the cap is cut off at the cap', () => {
    const parser = new HttpResponseParser({ maxBytes: 1000 });
    parser.push(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'));
    parser.push(Buffer.alloc(900, 0x41));
    expect(refusal(() => parser.push(Buffer.alloc(200, 0x41))).code).toBe(ErrorCode.ResponseTooLarge);
  });

  it('an endless header section is refused at 16 KiB, whatever the byte cap', () => {
    const parser = new HttpResponseParser({ maxBytes: 1 << 20 });
    parser.push(Buffer.from('HTTP/1.1 200 OK\r\n'));
    const err = refusal(() => {
      for (let i = 0; i < 100; i++) parser.push(Buffer.from(`X-Pad-${i}: ${'a'.repeat(500)}\r\n`));
    });
    expect(err.message).toMatch(/header section over 16384 bytes/);
  });

  it('a connection closed before any byte is unreachable', () => {
    expect(refusal(() => new HttpResponseParser(LIMITS).end()).code).toBe(ErrorCode.Unreachable);
  });
});

/** A response on the wire, framed one of the three ways, with chunk boundaries of the generator's choosing. */
const responses = fc
  .record({
    status: fc.constantFrom(200, 400, 401, 500),
    body: fc.uint8Array({ maxLength: 600 }),
    framing: fc.constantFrom('length', 'chunked', 'close'),
    chunkCuts: fc.array(fc.nat({ max: 600 }), { maxLength: 6 }),
    lf: fc.boolean(),
  })
  .map(({ status, body, framing, chunkCuts, lf }) => {
    const eol = lf ? '\n' : '\r\n';
    const data = Buffer.from(body);
    let head = `HTTP/1.1 ${status} X${eol}Content-Type: application/soap+xml${eol}`;
    let payload: Buffer;
    if (framing === 'length') {
      head += `Content-Length: ${data.length}${eol}`;
      payload = data;
    } else if (framing === 'chunked') {
      head += `Transfer-Encoding: chunked${eol}`;
      const cuts = [...new Set(chunkCuts.filter((c) => c > 0 && c < data.length))].sort((a, b) => a - b);
      const parts: Buffer[] = [];
      let from = 0;
      for (const to of [...cuts, data.length]) {
        if (to > from)
          parts.push(Buffer.from(`${(to - from).toString(16)}\r\n`), data.subarray(from, to), Buffer.from('\r\n'));
        from = to;
      }
      parts.push(Buffer.from('0\r\n\r\n'));
      payload = Buffer.concat(parts);
    } else {
      head += `Connection: close${eol}`;
      payload = data;
    }
    return { status, data, framing, wire: Buffer.concat([Buffer.from(`${head}${eol}`), payload]) };
  });

describe('HttpResponseParser: properties', () => {
  it('however the bytes arrive, the same response is read', () => {
    fc.assert(
      fc.property(responses, fc.array(fc.nat({ max: 800 }), { maxLength: 12 }), (r, cuts) => {
        const got = read(r.wire, cuts, r.framing === 'close');
        expect(got?.statusCode).toBe(r.status);
        expect(got?.body.equals(r.data)).toBe(true);
        expect(got?.keepAlive).toBe(r.framing !== 'close');
      }),
      { numRuns: 400 },
    );
  });

  it('arbitrary bytes never throw anything but a CamwardenError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 5 }),
        (bytes, cuts) => {
          try {
            read(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n'), Buffer.from(bytes)]), cuts, true);
          } catch (err) {
            expect(err).toBeInstanceOf(CamwardenError);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
