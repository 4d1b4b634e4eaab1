/**
 * A second ONVIF SOAP client (OpenSession), for tests only: the lever tests drive fake-soap-device.ts with it,
 * and simulator-levers.test.ts runs every lever through both it and onvif/'s session, so the levers are checked
 * by a client that shares no code with the one the agent uses. SOAP 1.2 over HTTP, WS-Security UsernameToken
 * digest, HTTP Digest on a 401 challenge, per-call timeout, response size cap, DTD refusal.
 */
import { createHash, randomBytes } from 'node:crypto';
import { operationResponse } from '../../src/enforce/soap-xml.js';
import type { OnvifCredentials, OnvifService, OnvifSession, OpenSession } from '../../src/onvif/session.js';
import { CamwardenError, ErrorCode, errorMessage } from '../../src/util/errors.js';
import { child, childrenNamed, findFirst, parseXml, textOf, type XmlNode } from '../../src/xml/index.js';
import { NS } from '../../src/xml/namespaces.js';

export interface RawSoapOptions {
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export function createRawSoapOpenSession(opts: RawSoapOptions = {}): OpenSession {
  return async (xaddr, credentials) => new RawSoapSession(xaddr, credentials, opts);
}

class RawSoapSession implements OnvifSession {
  private services: Promise<Map<string, string>> | undefined;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly origin: string;

  constructor(
    readonly xaddr: string,
    private readonly credentials: OnvifCredentials | undefined,
    opts: RawSoapOptions,
  ) {
    const url = new URL(xaddr);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CamwardenError(ErrorCode.InvalidRequest, `xaddr ${xaddr}: not an http(s) URL`);
    }
    this.origin = url.origin;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxBytes = opts.maxResponseBytes ?? 2 * 1024 * 1024;
  }

  async call(service: OnvifService, bodyXml: string): Promise<string> {
    const url = service === 'device' ? this.xaddr : ((await this.serviceUrls()).get(NS[service]) ?? this.xaddr);
    return this.post(url, bodyXml);
  }

  close(): void {
    this.services = undefined;
  }

  private serviceUrls(): Promise<Map<string, string>> {
    this.services ??= this.post(
      this.xaddr,
      '<tds:GetServices xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>',
    )
      .then(async (xml) => {
        const map = new Map<string, string>();
        for (const s of childrenNamed(await operationResponse(xml, 'GetServices'), 'Service')) {
          const ns = textOf(child(s, 'Namespace'));
          const addr = textOf(child(s, 'XAddr'));
          if (!ns || !addr) continue;
          try {
            const u = new URL(addr);
            map.set(ns, `${this.origin}${u.pathname}${u.search}`);
          } catch {
            // an unusable XAddr: fall back to the device service URL
          }
        }
        return map;
      })
      .catch(() => new Map<string, string>());
    return this.services;
  }

  private async post(url: string, bodyXml: string, authorization?: string): Promise<string> {
    const envelope = `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>${this.security()}</s:Header><s:Body>${bodyXml}</s:Body></s:Envelope>`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/soap+xml; charset=utf-8',
          ...(authorization ? { authorization } : {}),
        },
        body: envelope,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new CamwardenError(timeout ? ErrorCode.Timeout : ErrorCode.Unreachable, `${url}: ${errorMessage(err)}`);
    }
    const challenge = res.headers.get('www-authenticate');
    if (res.status === 401 && !authorization && this.credentials && challenge?.toLowerCase().startsWith('digest')) {
      await res.body?.cancel().catch(() => undefined);
      return this.post(url, bodyXml, digestHeader(challenge, this.credentials, 'POST', new URL(url).pathname));
    }
    const body = await readCapped(res, this.maxBytes, url);
    if (res.status === 401 || res.status === 403)
      throw new CamwardenError(ErrorCode.Unauthorized, `${url}: HTTP ${res.status}`);
    const fault = findFirst(parseAnswer(body), 'Fault');
    if (fault !== undefined) {
      const reason = textOf(findFirst(fault, 'Text')) || textOf(findFirst(fault, 'Value')) || 'SOAP fault';
      const notAuth = /NotAuthorized|Sender not Authorized/i.test(body);
      throw new CamwardenError(notAuth ? ErrorCode.Unauthorized : ErrorCode.SoapFault, `${url}: ${reason}`);
    }
    if (!res.ok) throw new CamwardenError(ErrorCode.SoapFault, `${url}: HTTP ${res.status}`);
    return body;
  }

  private security(): string {
    if (!this.credentials) return '';
    const nonce = randomBytes(16);
    const created = new Date().toISOString();
    const digest = createHash('sha1')
      .update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(this.credentials.password)]))
      .digest('base64');
    const esc = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
    return (
      '<wsse:Security s:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">' +
      `<wsse:UsernameToken><wsse:Username>${esc(this.credentials.username)}</wsse:Username>` +
      `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password>` +
      `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce>` +
      `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
    );
  }
}

/**
 * The answer as XML, or undefined when it is not XML at all (an HTML error page, an empty body): such an answer
 * carries no fault and is judged by its HTTP status; a caller that reads it parses it and reports it. A DOCTYPE is
 * refused whatever the status. No size cap here: readCapped has enforced it on the wire.
 */
function parseAnswer(body: string): XmlNode | undefined {
  try {
    return parseXml(body, { maxBytes: Number.POSITIVE_INFINITY });
  } catch (err) {
    if (err instanceof CamwardenError && err.code === ErrorCode.InvalidXml) return undefined;
    throw err;
  }
}

async function readCapped(res: Response, max: number, url: string): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new CamwardenError(ErrorCode.ResponseTooLarge, `${url}: response larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** RFC 7616 Digest (MD5, qop=auth) answer to a challenge. */
export function digestHeader(challenge: string, creds: OnvifCredentials, method: string, uri: string): string {
  const params: Record<string, string> = {};
  for (const m of challenge.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g))
    params[(m[1] ?? '').toLowerCase()] = m[2] ?? m[3] ?? '';
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const realm = params.realm ?? '';
  const nonce = params.nonce ?? '';
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const ha1 = md5(`${creds.username}:${realm}:${creds.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const qop = params.qop
    ?.split(',')
    .map((q) => q.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const response = qop ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  const parts = [
    `username="${creds.username}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    `response="${response}"`,
    ...(params.opaque !== undefined ? [`opaque="${params.opaque}"`] : []),
    ...(qop ? [`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`] : []),
    'algorithm=MD5',
  ];
  return `Digest ${parts.join(', ')}`;
}
