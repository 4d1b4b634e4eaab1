import { type Agent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CamwardenError, ErrorCode } from '../util/errors.js';

export interface SoapTarget {
  hostname: string;
  port: number;
  secure: boolean;
  /** The guarded agent (bounded-agent.ts): byte cap, DOCTYPE refusal and deadline at the socket. */
  agent: Agent;
  timeoutMs: number;
}

/** The HTTP Digest answer to a device's challenges (the onvif package computes it: MD5/SHA-256, qop). */
export type DigestSigner = (challenges: string[], req: { method: string; path: string }) => string | null;

/**
 * A device's last Digest challenges, kept by its session: later calls answer them up front (RFC 7616 nonce reuse
 * with an increasing nonce count, which the package's digestAuth keeps), so a digest-only device costs one round
 * trip per call instead of two.
 */
export interface DigestMemory {
  challenges?: string[];
}

export interface SoapAnswer {
  statusCode: number;
  /** The body as text, verbatim; nobody has parsed it yet. */
  xml: string;
}

function digestChallenges(res: IncomingMessage): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i] ?? '';
    const value = res.rawHeaders[i + 1] ?? '';
    if (name.toLowerCase() === 'www-authenticate' && value.startsWith('Digest')) out.push(value);
  }
  return out;
}

/**
 * One SOAP POST and its raw answer, on our side of the onvif package: the package signs (WS-Security in the envelope,
 * HTTP Digest here through `sign`), but never sees a response body, so its response pre-processing (a regex that is
 * quadratic on `xmlns` runs) never runs on device input. A 401 with a Digest challenge is answered once (a remembered
 * challenge the device no longer takes is answered afresh, once); any other status is handed back with its body for
 * the caller's parser (SOAP faults come with 400/500).
 */
export function postSoap(
  target: SoapTarget,
  path: string,
  envelope: string,
  action: string,
  sign: DigestSigner | undefined,
  memory: DigestMemory = {},
): Promise<SoapAnswer> {
  return new Promise<SoapAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, answer?: SoapAnswer): void => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(answer as SoapAnswer);
    };
    /** `authorization` answers a challenge: one remembered from an earlier call, or the one just received. */
    const send = (authorization: string | undefined, fresh: boolean): void => {
      const headers: Record<string, string | number> = {
        'Content-Type': `application/soap+xml;charset=utf-8;action="${action}"`,
        'Content-Length': Buffer.byteLength(envelope, 'utf8'),
      };
      if (authorization !== undefined) headers.Authorization = authorization;
      const options: RequestOptions = {
        hostname: target.hostname,
        port: target.port,
        path,
        method: 'POST',
        agent: target.agent,
        headers,
        timeout: target.timeoutMs,
      };
      let retried = false;
      const req = (target.secure ? httpsRequest : httpRequest)(options, (res) => {
        const challenges = res.statusCode === 401 ? digestChallenges(res) : [];
        if (res.statusCode === 401 && !fresh && challenges.length > 0 && sign) {
          let answer: string | null;
          try {
            answer = sign(challenges, { method: 'POST', path });
          } catch (err) {
            res.destroy();
            finish(new CamwardenError(ErrorCode.Unauthorized, `digest challenge unusable: ${String(err)}`));
            return;
          }
          retried = true;
          res.destroy(); // the challenge's body is not needed, and may be anything
          memory.challenges = challenges;
          if (answer === null) finish(new CamwardenError(ErrorCode.Unauthorized, 'digest challenge unusable'));
          else send(answer, true);
          return;
        }
        if (res.statusCode === 401 && authorization !== undefined) {
          res.destroy();
          finish(new CamwardenError(ErrorCode.Unauthorized, 'HTTP Digest authentication refused (401)'));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => finish(err));
        res.on('end', () => {
          finish(undefined, { statusCode: res.statusCode ?? 0, xml: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.on('timeout', () => {
        req.destroy(new CamwardenError(ErrorCode.Timeout, `no answer within ${target.timeoutMs} ms`));
      });
      req.on('error', (err) => {
        if (!retried) finish(err); // after a Digest retry, the first exchange's end does not matter
      });
      req.end(envelope);
    };
    let remembered: string | undefined;
    if (memory.challenges && sign) {
      try {
        remembered = sign(memory.challenges, { method: 'POST', path }) ?? undefined;
      } catch {
        remembered = undefined; // answered afresh if the device asks again
      }
    }
    send(remembered, false);
  });
}
