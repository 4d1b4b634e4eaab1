import { createHash } from 'node:crypto';
import { CamwardenError, ErrorCode } from './errors.js';

/**
 * Camera ids end up in MQTT topics, directory names and recorder-hook argv, and most of them come from devices.
 * A safe id is 1-128 characters of `A-Z a-z 0-9 . _ : -` starting with a letter or digit: so never `.` or `..`,
 * never an option (`-x`), never a path separator or topic syntax (`/`, `#`, `+`). See docs/identity.md.
 */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** A channel token kept verbatim inside `<recorder id>:<token>` (no `:` so the id splits back unambiguously). */
const SAFE_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PLAIN_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isSafeId(value: string): boolean {
  return SAFE_ID.test(value);
}

export function isPlainUuid(value: string): boolean {
  return PLAIN_UUID.test(value);
}

/** A stable 32-hex id derived from untrusted text; `kind` keeps derivations of different things apart. */
export function derivedId(kind: string, value: string): string {
  return createHash('sha256').update(`${kind}|${value}`).digest('hex').slice(0, 32);
}

/** A device-supplied token made safe for use inside an id: verbatim when plain, else a derived `t…` token. */
export function safeToken(token: string): string {
  return SAFE_TOKEN.test(token) ? token : `t${derivedId('token', token).slice(0, 23)}`;
}

/** For the sinks (topics, paths, argv): refuses an id that is not safe, whatever produced it. */
export function assertSafeId(value: string, where: string): string {
  if (!isSafeId(value)) {
    throw new CamwardenError(
      ErrorCode.UnsafeId,
      `${where}: refusing unsafe camera id ${JSON.stringify(value.slice(0, 64))}${value.length > 64 ? '…' : ''}`,
    );
  }
  return value;
}
