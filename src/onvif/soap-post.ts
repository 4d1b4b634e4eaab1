import { type Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface SoapExchange {
  status: number;
  xml: string;
}

interface Answer extends SoapExchange {
  /** `WWW-Authenticate: Digest` challenges of a 401 (whose body is then not read). */
  challenges: string[];
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
    if (first.status !== 401 || !digest || first.challenges.length === 0) return first;
    this.challenges = first.challenges;
    const authorization = digest(first.challenges, { method: 'POST', path });
    if (authorization === null) return first;
    return this.send(path, action, envelope, authorization, handle);
  }

  private send(
    path: string,
    action: string,
    envelope: string,
    authorization: string | null,
    handle: CancelHandle,
  ): Promise<Answer> {
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
          const status = res.statusCode ?? 0;
          const challenges = status === 401 ? digestChallenges(res) : [];
          if (challenges.length > 0) {
            // The challenge is all a 401 has to say; its body is often an HTML page (with a DOCTYPE the connection
            // guard would refuse), so it is not read and the connection is dropped, as the package did.
            res.destroy();
            resolve({ status, xml: '', challenges });
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => resolve({ status, xml: Buffer.concat(chunks).toString('utf8'), challenges }));
        },
      );
      req.on('error', reject);
      handle.cancel = (err) => req.destroy(err);
      req.end(body);
    });
  }
}
