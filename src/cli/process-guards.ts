import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/**
 * Keeps a long-running command alive through a stray exception, e.g. from a device library's callback; each is
 * logged. SIGTERM and SIGINT go to `onSignal`.
 */
function installProcessGuards(onSignal: (signal: NodeJS.Signals) => void, log: (msg: string, err: unknown) => void) {
  const onError = (err: unknown) => log('uncaught error kept from crashing the process', err);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}

/**
 * `run` and `registry`: start the service, keep it up until SIGTERM/SIGINT, then stop it. Resolves 0 after a
 * clean stop, 1 when stopping failed or a second signal came while stopping; a failed start stops what started
 * and rethrows.
 */
export async function runUntilSignal(
  service: { start(): Promise<void>; stop(): Promise<void> },
  logger: Logger,
  onStarted: () => void = () => undefined,
): Promise<number> {
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
      stopping = service.stop().then(
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
    await service.start();
  } catch (err) {
    uninstall();
    await service.stop().catch(() => undefined);
    throw err;
  }
  onStarted();
  const code = await done;
  uninstall();
  return code;
}
