import { createHash, randomBytes } from 'node:crypto';
import { escapeXml } from '../xml/escape-xml.js';
import type { OnvifCredentials } from './session.js';

const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const PASSWORD_DIGEST =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

const ENVELOPE_OPEN =
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">';
const BODY_OPEN =
  '<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">';

/**
 * The device's clock as the device sees it, for WS-Security `Created`: devices refuse a token whose time is too far
 * from their own, so the offset learnt from GetSystemDateAndTime is applied (on a monotonic base, so a jump of the
 * gateway's clock does not move it). Before the device has told its time, the gateway's clock is the best guess.
 */
export class DeviceClock {
  private offset: { deviceMs: number; at: number } | undefined;

  get known(): boolean {
    return this.offset !== undefined;
  }

  /** The device said it is `deviceTime` now. The first answer sets the offset. */
  learn(deviceTime: Date): void {
    this.offset ??= { deviceMs: deviceTime.getTime(), at: performance.now() };
  }

  now(): Date {
    if (!this.offset) return new Date();
    return new Date(this.offset.deviceMs + (performance.now() - this.offset.at));
  }
}

/**
 * A WS-Security UsernameToken with a password digest (UsernameToken Profile 1.0):
 * Base64(SHA-1(nonce + created + password)), strings as UTF-8, a fresh 16-byte nonce per message.
 */
export function usernameToken(credentials: OnvifCredentials, created: Date): string {
  const nonce = randomBytes(16);
  const createdText = created.toISOString();
  const digest = createHash('sha1')
    .update(nonce)
    .update(createdText, 'utf8')
    .update(credentials.password, 'utf8')
    .digest('base64');
  return (
    `<Security s:mustUnderstand="1" xmlns="${WSSE_NS}"><UsernameToken>` +
    `<Username>${escapeXml(credentials.username)}</Username>` +
    `<Password Type="${PASSWORD_DIGEST}">${digest}</Password>` +
    `<Nonce EncodingType="${BASE64_BINARY}">${nonce.toString('base64')}</Nonce>` +
    `<Created xmlns="${WSU_NS}">${createdText}</Created>` +
    '</UsernameToken></Security>'
  );
}

/** A SOAP 1.2 envelope around one body element; signed with a UsernameToken when credentials are given. */
export function soapEnvelope(bodyXml: string, credentials: OnvifCredentials | undefined, clock: DeviceClock): string {
  // An empty username or password is no credential at all: the device is asked unauthenticated (and Digest, if it
  // challenges, is answered with what there is).
  const security = credentials?.username && credentials.password ? usernameToken(credentials, clock.now()) : '';
  return `${ENVELOPE_OPEN}<s:Header>${security}</s:Header>${BODY_OPEN}${bodyXml}</s:Body></s:Envelope>`;
}
