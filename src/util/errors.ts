/**
 * Error codes that cross a boundary: CLI exit messages, camera `errors[]`, MQTT responses and events.
 * String values are part of the contract; add, never rename.
 */
export enum ErrorCode {
  // usage and input
  BadUsage = 'bad-usage',
  InvalidConfig = 'invalid-config',
  InvalidProfile = 'invalid-profile',
  // device interrogation
  Timeout = 'timeout',
  Unreachable = 'unreachable',
  Unauthorized = 'unauthorized',
  ResponseTooLarge = 'response-too-large',
  DoctypeRefused = 'doctype-refused',
  InvalidXml = 'invalid-xml',
  SoapFault = 'soap-fault',
  NotSupported = 'not-supported',
  ClockSkew = 'clock-skew',
  UnverifiedDevice = 'unverified-device',
  ForeignXaddr = 'foreign-xaddr',
  /** Default credentials were not sent: the device is outside the configured targets and interfaces. */
  CredentialsWithheld = 'credentials-withheld',
  /** Another device claims this device's EndpointReference but does not match its pinned identity. */
  IdentityConflict = 'identity-conflict',
  /** A device-supplied id, name or token that would become a path, topic level or option was refused. */
  UnsafeId = 'unsafe-id',
  // bounds on untrusted input (docs/discovery.md): past a bound the excess is dropped and counted
  /** A device's scopes over discovery.maxScopesPerDevice, or longer than discovery.maxScopeLength, were dropped. */
  ScopesDropped = 'scopes-dropped',
  /** Discovery replies past discovery.maxDevices or discovery.maxDevicesPerAddress were dropped. */
  DeviceLimit = 'device-limit',
  /** A ProbeMatches without RelatesTo (or an empty one): it answers no probe we can name. */
  MissingRelatesTo = 'missing-relates-to',
  /** A ProbeMatches whose RelatesTo names no probe of ours (spoofed, or too late). */
  UnrelatedReply = 'unrelated-reply',
  /** One EndpointReference answered from several addresses: this claimant does not own the id (docs/identity.md). */
  DuplicateEndpoint = 'duplicate-endpoint',
  /** Hello-announced devices past the pending cap or the scan's target cap were not interrogated directly. */
  HelloDropped = 'hello-dropped',
  /** Items of one answer past their bound (e.g. IPv6 addresses in GetNetworkInterfaces) were dropped. */
  ItemsDropped = 'items-dropped',
  // requests
  Expired = 'expired',
  Replayed = 'replayed',
  InvalidRequest = 'invalid-request',
  UnknownOp = 'unknown-op',
  // registry HTTP API
  NotFound = 'not-found',
  // runtime
  EnforcementFailed = 'enforcement-failed',
  RetentionRefused = 'retention-refused',
  /** Another camwarden process writes to this data dir. */
  DataDirLocked = 'data-dir-locked',
  /** Footage could not be moved into quarantine (it changed, the target exists, another filesystem, …). */
  QuarantineFailed = 'quarantine-failed',
  /** A socket could not be bound (address not local, port taken or privileged). */
  ListenFailed = 'listen-failed',
  /** Work given up on purpose (the agent is stopping), not a failure. */
  Aborted = 'aborted',
  Internal = 'internal',
}

export class CamwardenError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CamwardenError';
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Thrown for bad flags, files or fields: the CLI maps it to exit code 2. */
export class UsageError extends CamwardenError {
  constructor(message: string, code: ErrorCode = ErrorCode.BadUsage) {
    super(code, message);
    this.name = 'UsageError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function errorCodeOf(err: unknown): ErrorCode {
  return err instanceof CamwardenError ? err.code : ErrorCode.Internal;
}
