import { createAgent } from '../../agent/create-agent.js';
import { loadConfig } from '../../config/load-config.js';
import { errorMessage } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import type { CommandIO, CommandSpec } from '../command.js';
import { installProcessGuards } from '../process-guards.js';
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
    let stopping: Promise<void> | undefined;
    let resolveDone: (code: number) => void = () => undefined;
    const done = new Promise<number>((resolve) => {
      resolveDone = resolve;
    });
    const uninstall = installProcessGuards(
      (signal) => {
        if (stopping !== undefined) {
          logger.warn({ signal }, 'second signal: exiting now');
          resolveDone(1);
          return;
        }
        logger.info({ signal }, 'stopping');
        stopping = agent.stop().then(
          () => resolveDone(0),
          (err: unknown) => {
            logger.error({ err: errorMessage(err) }, 'shutdown failed');
            resolveDone(1);
          },
        );
      },
      (msg, err) => logger.error({ err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined }, msg),
    );
    try {
      await agent.start();
    } catch (err) {
      uninstall();
      await agent.stop().catch(() => undefined);
      throw err;
    }
    const code = await done;
    uninstall();
    return code;
  },
};
