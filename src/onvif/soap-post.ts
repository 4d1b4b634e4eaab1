import { type Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface SoapExchange {
  status: number;
  xml: string;
}

/** Set while a request is out: the caller's timer cancels the exchange through it (a plain callback is cheaper
 * per call than an AbortSignal). */
export interface CancelHandle {
  cancel?: (err: Error) => void;
}

/** Computes an HTTP Digest `Authorization` for a request from the device's `WWW-Authenticate: Digest` challenges. */
export type DigestAuth = (challenges: string[], request: { method: string; path: string }) => string | null;

export interface SoapPosterOptions {
  hostname: string;
  port: number;
  secure: boolean;
  /** The session's guarded agent: it bounds size, time and DOCTYPE per connection. */
  agent: Agent;
  /** Undefined when no credentials are configured: a 401 is then the answer. */
  digestAuth: DigestAuth | undefined;
}

function digestChallenges(res: IncomingMessage): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const value = res.rawHeaders[i + 1] ?? '';
    if (res.rawHeaders[i]?.toLowerCase() === 'www-authenticate' && /^\s*Digest\s/i.test(value)) out.push(value);
  }
  return out;
}

/**
 * Posts SOAP envelopes to one device and returns its answers unparsed, for the project's own XML parser.
 *
 * This is the HTTP half of the `onvif` package's request, without its response parsing: the package runs every
 * response through xml2js (after a regex over its xmlns attributes) only for us to discard the result, which was
 * the largest CPU cost of a scan. Authentication stays the package's (WS-UsernameToken in the envelope, its
 * digest computation); a Digest challenge is kept and answered up front on later calls (RFC 7616 nonce reuse with
 * an increasing nonce count), so a digest-only device costs one round trip per call instead of two. A rejected
 * remembered challenge is retried once with the fresh one.
 */
export class SoapPoster {
  private challenges: string[] | undefined;

  constructor(private readonly opts: SoapPosterOptions) {}

  async post(path: string, action: string, envelope: string, handle: CancelHandle): Promise<SoapExchange> {
    const digest = this.opts.digestAuth;
    const remembered = digest && this.challenges ? digest(this.challenges, { method: 'POST', path }) : null;
    const first = await this.send(path, action, envelope, remembered, handle);
    if (first.res.statusCode !== 401 || !digest) return first.exchange;
    const fresh = digestChallenges(first.res);
    if (fresh.length === 0) return first.exchange;
    this.challenges = fresh;
    const authorization = digest(fresh, { method: 'POST', path });
    if (authorization === null) return first.exchange;
    return (await this.send(path, action, envelope, authorization, handle)).exchange;
  }

  private send(
    path: string,
    action: string,
    envelope: string,
    authorization: string | null,
    handle: CancelHandle,
  ): Promise<{ res: IncomingMessage; exchange: SoapExchange }> {
    const body = Buffer.from(envelope, 'utf8');
    const request = this.opts.secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          hostname: this.opts.hostname,
          port: this.opts.port,
          path,
          method: 'POST',
          agent: this.opts.agent,
          headers: {
            'Content-Type': `application/soap+xml;charset=utf-8;action="${action}"`,
            'Content-Length': body.length,
            ...(authorization ? { Authorization: authorization } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({ res, exchange: { status: res.statusCode ?? 0, xml: Buffer.concat(chunks).toString('utf8') } }),
          );
        },
      );
      req.on('error', reject);
      handle.cancel = (err) => req.destroy(err);
      req.end(body);
    });
  }
}
