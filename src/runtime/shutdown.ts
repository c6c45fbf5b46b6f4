// Graceful shutdown on SIGTERM and SIGINT: run the entry point's shutdown once, under a
// deadline, then exit. A second signal, or the deadline passing, exits at once.
import type { Logger } from 'pino';
import { within } from './deadline.js';

export interface ShutdownOptions {
  /** Longest time the shutdown may take before the process exits anyway, ms. */
  timeoutMs: number;
  logger: Logger;
}

/** Installs the signal handlers; `shutdown` receives the time it has left, ms. */
export function exitOnSignals(shutdown: (deadlineMs: number) => Promise<void>, { timeoutMs, logger }: ShutdownOptions): void {
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    started = true;
    logger.info({ signal, timeoutMs }, 'shutting down');
    within(shutdown(timeoutMs).then(() => true), timeoutMs, () => false).then(
      (inTime) => {
        if (inTime) logger.info('shutdown complete');
        else logger.error({ timeoutMs }, 'shutdown deadline passed: exiting');
        process.exit(inTime ? 0 : 1);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
