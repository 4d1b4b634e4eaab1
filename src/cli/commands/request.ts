import { readFile } from 'node:fs/promises';
import { loadConfig, sanitizeTopicLevel } from '../../config/load-config.js';
import { bundleFilesArg } from '../../operator/bundle-files.js';
import { sendRequest } from '../../operator/send-request.js';
import { checkRequest } from '../../operator/signed-request.js';
import { REQUEST_OPS } from '../../reporting/requests/schemas.js';
import { loadEd25519PrivateKey } from '../../util/ed25519-keys.js';
import { errorMessage, UsageError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { type CommandIO, type CommandSpec, durationFlag, type ParsedValues, requiredFlag } from '../command.js';

/** Exit code when no response came in time (0 ok, 1 error response, 2 bad usage). */
export const EXIT_TIMEOUT = 3;

async function readArgs(raw: string | undefined): Promise<unknown> {
  if (raw === undefined) return {};
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = await readFile(raw.slice(1), 'utf8');
    } catch (err) {
      throw new UsageError(`--args: cannot read ${raw.slice(1)}: ${errorMessage(err)}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`--args: not JSON (${errorMessage(err)})`);
  }
}

function topicLevel(values: ParsedValues, name: string): string {
  const value = requiredFlag(values, name, 'request');
  if (sanitizeTopicLevel(value) !== value) {
    throw new UsageError(`--${name}: ${JSON.stringify(value)} is not a topic level (letters, digits, _ . -)`);
  }
  return value;
}

/** `camwarden request <op>`: sign, publish, wait for the matching response, print it. */
export const requestCommand: CommandSpec = {
  name: 'request',
  summary:
    `Send a signed request to a gateway and print its response. OP: ${REQUEST_OPS.join(', ')}. ` +
    'Broker from CAMWARDEN_MQTT_URL (credentials and TLS as for the agent). Exit 0 on status ok, 1 on an error ' +
    `response, 2 on bad usage (checked before sending), ${EXIT_TIMEOUT} when no response came in time.`,
  positionals: 'OP',
  options: {
    args: {
      type: 'string',
      valueName: 'JSON',
      description: 'The op’s arguments as a JSON object, or @FILE to read them from a file (default {})',
    },
    files: {
      type: 'string',
      valueName: 'DIR',
      description: 'profiles/apply: send every file of this (signed) device-profiles directory as args.files',
    },
    key: {
      type: 'string',
      valueName: 'PRIVATE.pem',
      description: 'Ed25519 private key whose public key the gateway trusts',
    },
    site: { type: 'string', valueName: 'S', description: 'Site id of the gateway' },
    gateway: { type: 'string', valueName: 'G', description: 'Gateway id' },
    prefix: { type: 'string', valueName: 'P', description: 'Topic prefix (default: mqtt.prefix, camwarden)' },
    timeout: { type: 'string', valueName: 'DURATION', description: 'How long to wait for the response (default 10s)' },
    'valid-for': {
      type: 'string',
      valueName: 'DURATION',
      description: 'How long the gateway may still act on the request: its expiresAt (default 5m)',
    },
  },
  async run(values: ParsedValues, positionals: string[], io: CommandIO): Promise<number> {
    const [opName, ...rest] = positionals;
    if (opName === undefined || rest.length > 0) {
      throw new UsageError(`camwarden request: exactly one OP (${REQUEST_OPS.join(', ')})`);
    }
    const timeoutMs = durationFlag(values, 'timeout', 10_000);
    const validForMs = durationFlag(values, 'valid-for', 5 * 60_000);
    const site = topicLevel(values, 'site');
    const gateway = topicLevel(values, 'gateway');
    let args = await readArgs(typeof values.args === 'string' ? values.args : undefined);
    if (typeof values.files === 'string') {
      if (opName !== 'profiles/apply') throw new UsageError('--files: only for profiles/apply');
      if (typeof args !== 'object' || args === null || Array.isArray(args)) args = {};
      const files = await bundleFilesArg(values.files).catch((err: unknown) => {
        throw new UsageError(`--files: ${errorMessage(err)}`);
      });
      args = { ...(args as Record<string, unknown>), files };
    }
    const checked = checkRequest(opName, args);
    const keyFile = requiredFlag(values, 'key', 'request');
    const key = await loadEd25519PrivateKey(keyFile).catch((err: unknown) => {
      throw new UsageError(`--key: ${errorMessage(err)}`);
    });
    const { config } = loadConfig(io.env, io.cwd);
    const url = config.mqtt.url;
    if (!url) throw new UsageError('camwarden request: no broker: set CAMWARDEN_MQTT_URL (or mqtt.url in the config)');
    const prefix = typeof values.prefix === 'string' ? values.prefix : config.mqtt.prefix;
    if (prefix === '' || /[#+]/.test(prefix))
      throw new UsageError(`--prefix: ${JSON.stringify(prefix)} is not a topic prefix`);
    // an interactive tool: connection chatter only when asked for (CAMWARDEN_LOG_LEVEL); the outcome is printed
    const logger = createLogger({
      level: io.env.CAMWARDEN_LOG_LEVEL ? config.logLevel : 'error',
      destination: io.stderr,
    });
    const outcome = await sendRequest({
      mqtt: { ...config.mqtt, url },
      base: `${prefix}/${site}/${gateway}`,
      op: checked.op,
      args: checked.args,
      key,
      timeoutMs,
      validForMs,
      logger,
    });
    if (outcome.kind === 'timeout') {
      io.stderr.write(
        `camwarden request: no response to ${checked.op} (transaction ${outcome.request.transaction}) within ${timeoutMs} ms` +
          `${outcome.connected ? '' : `: could not connect to ${url}`}\n`,
      );
      return EXIT_TIMEOUT;
    }
    io.stdout.write(`${JSON.stringify(outcome.response, null, 2)}\n`);
    return outcome.response.status === 'ok' ? 0 : 1;
  },
};
