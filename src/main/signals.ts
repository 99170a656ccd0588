import type { Logger } from '../logger.ts';
import type { Patchbay } from './lifecycle.ts';

/** SIGTERM/SIGINT drain gracefully; a second signal or the timeout exits at once. */
export function handleSignals(pb: Patchbay, logger: Logger, timeoutSeconds: number): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    received = true;
    logger.info({ signal }, 'received signal; draining');
    const timer = setTimeout(() => {
      logger.error({ timeoutSeconds }, 'shutdown timed out; exiting');
      process.exit(1);
    }, timeoutSeconds * 1000);
    timer.unref();
    pb.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));
}
