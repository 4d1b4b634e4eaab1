import { type Logger, pino } from 'pino';

/** Paths pino must never print: credentials from config, devices, HTTP and MQTT. */
const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'passphrase',
  '*.passphrase',
  'username_token',
  'digest',
  '*.digest',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["www-authenticate"]',
  'Authorization',
  '*.Authorization',
  'key',
  '*.key',
  'privateKey',
  '*.privateKey',
  'signature',
  '*.signature',
  'token',
  '*.token',
  '*.*.token',
];

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Write to stderr so stdout stays a clean JSON document for `--json` commands. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env.CAMWARDEN_LOG_LEVEL ?? 'info',
      base: { app: 'camwarden' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

let silent: Logger | undefined;

/** A logger that drops everything: for tests and library use without logging. One instance: pino() is not cheap. */
export function silentLogger(): Logger {
  silent ??= pino({ level: 'silent' });
  return silent;
}
