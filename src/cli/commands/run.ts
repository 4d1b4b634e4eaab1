import { createAgent } from '../../agent/create-agent.js';
import { loadConfig } from '../../config/load-config.js';
import { createLogger } from '../../util/logger.js';
import type { CommandIO, CommandSpec } from '../command.js';
import { runUntilSignal } from '../process-guards.js';
import { VERSION } from '../version.js';

export const runCommand: CommandSpec = {
  name: 'run',
  summary:
    'The daemon: scheduled scans (and Hello-triggered ones), enforcement, retention sweeps, MQTT reporting and ' +
    'signed requests. SIGTERM/SIGINT: finish or abort in-flight work safely, flush, publish `stopped`, exit 0.',
  options: {},
  async run(_values, _positionals, io: CommandIO): Promise<number> {
    const { config } = loadConfig(io.env, io.cwd);
    const logger = createLogger({ level: config.logLevel, destination: io.stderr });
    const agent = createAgent({ config, logger, version: VERSION });
    return runUntilSignal(agent, logger);
  },
};
