/**
 * Keeps a long-running command (`run`, `registry`) alive through a stray exception, e.g. from a device library's
 * callback; each is logged. A second signal while stopping forces the exit.
 */
export function installProcessGuards(
  onSignal: (signal: NodeJS.Signals) => void,
  log: (msg: string, err: unknown) => void,
) {
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
