import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { DeviceConnection } from './device-connection.js';
import type { HttpResponse } from './http-response-parser.js';

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

function digestChallenges(res: HttpResponse): string[] {
  return res.headers
    .filter(([name, value]) => name === 'www-authenticate' && value.startsWith('Digest'))
    .map(([, v]) => v);
}

/**
 * One SOAP POST and its raw answer, on our side of the onvif package: the package signs (WS-Security in the envelope,
 * HTTP Digest here through `sign`), but never sees a response body, so its response pre-processing (a regex that is
 * quadratic on `xmlns` runs) never runs on device input. A 401 with a Digest challenge is answered once (a remembered
 * challenge the device no longer takes is answered afresh, once); any other status is handed back with its body for
 * the caller's parser (SOAP faults come with 400/500).
 */
export async function postSoap(
  connection: DeviceConnection,
  path: string,
  envelope: string,
  action: string,
  sign: DigestSigner | undefined,
  memory: DigestMemory = {},
): Promise<SoapAnswer> {
  const send = (authorization: string | undefined): Promise<HttpResponse> =>
    connection.post({
      path,
      headers: {
        'Content-Type': `application/soap+xml;charset=utf-8;action="${action}"`,
        ...(authorization === undefined ? {} : { Authorization: authorization }),
      },
      body: envelope,
    });
  const answer = (challenges: string[]): string | null => {
    if (!sign) return null;
    try {
      return sign(challenges, { method: 'POST', path });
    } catch (err) {
      throw new CamwardenError(ErrorCode.Unauthorized, `digest challenge unusable: ${String(err)}`);
    }
  };
  let remembered: string | undefined;
  if (memory.challenges && sign) {
    try {
      remembered = sign(memory.challenges, { method: 'POST', path }) ?? undefined;
    } catch {
      remembered = undefined; // answered afresh if the device asks again
    }
  }
  let res = await send(remembered);
  const challenges = res.statusCode === 401 ? digestChallenges(res) : [];
  if (res.statusCode === 401 && challenges.length > 0 && sign) {
    // A fresh challenge (or one that replaces a remembered one the device no longer takes) is answered once.
    const authorization = answer(challenges);
    memory.challenges = challenges;
    if (authorization === null) throw new CamwardenError(ErrorCode.Unauthorized, 'digest challenge unusable');
    res = await send(authorization);
    if (res.statusCode === 401) {
      throw new CamwardenError(ErrorCode.Unauthorized, 'HTTP Digest authentication refused (401)');
    }
  } else if (res.statusCode === 401 && remembered !== undefined) {
    throw new CamwardenError(ErrorCode.Unauthorized, 'HTTP Digest authentication refused (401)');
  }
  return { statusCode: res.statusCode, xml: res.body.toString('utf8') };
}
