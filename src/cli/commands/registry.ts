import { loadConfig } from '../../config/load-config.js';
import { Registry } from '../../registry/registry.js';
import { ErrorCode, UsageError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import type { CommandIO, CommandSpec, ParsedValues } from '../command.js';
import { runUntilSignal } from '../process-guards.js';

export const registryCommand: CommandSpec = {
  name: 'registry',
  summary:
    'The central registry: subscribes to <prefix>/+/+/# (an MQTT 5 shared subscription with ' +
    'CAMWARDEN_REGISTRY_SHARE=1), stores sites, gateways, cameras, events and requests in PostgreSQL ' +
    '(CAMWARDEN_REGISTRY_DATABASE_URL) or an embedded database under the data dir, and serves the JSON API, the ' +
    'fleet page and per-site compliance reports on CAMWARDEN_REGISTRY_LISTEN (default 127.0.0.1:8080). ' +
    'SIGTERM/SIGINT: disconnect, store what is queued, exit 0.',
  options: {
    listen: {
      type: 'string',
      valueName: 'HOST:PORT',
      description: 'HTTP address (overrides CAMWARDEN_REGISTRY_LISTEN)',
    },
  },
  async run(values: ParsedValues, _positionals: string[], io: CommandIO): Promise<number> {
    const listen = typeof values.listen === 'string' ? values.listen : undefined;
    const { config } = loadConfig(listen ? { ...io.env, CAMWARDEN_REGISTRY_LISTEN: listen } : io.env, io.cwd);
    if (!config.mqtt.url) {
      throw new UsageError('CAMWARDEN_MQTT_URL (mqtt.url): the registry needs a broker', ErrorCode.InvalidConfig);
    }
    const logger = createLogger({ level: config.logLevel, destination: io.stderr });
    const registry = new Registry({ config, logger });
    return runUntilSignal(registry, logger, () => io.stdout.write(`camwarden registry: fleet page ${registry.url}\n`));
  },
};
