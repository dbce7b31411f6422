import type { Logger } from './create-logger';

export interface ShutdownRegistry {
  /** Registers a named, idempotent close step; steps run in reverse order of registration. */
  register(name: string, close: () => Promise<void>): void;
  /** Runs every step once, each bounded by what is left of the deadline. Resolves true when all finished. */
  shutdown(reason: string): Promise<boolean>;
}

/** One shutdown registry per process: every component registers its close, with one deadline for all. */
export function createShutdownRegistry(logger: Logger, deadlineMs: number): ShutdownRegistry {
  const steps: { name: string; close: () => Promise<void> }[] = [];
  let running: Promise<boolean> | undefined;

  const run = async (reason: string): Promise<boolean> => {
    logger.info('shutting down', { reason, deadlineMs });
    const deadline = Date.now() + deadlineMs;
    let clean = true;
    for (const step of [...steps].reverse()) {
      const left = Math.max(0, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), left);
      });
      try {
        const result = await Promise.race([step.close().then(() => 'done' as const), timedOut]);
        if (result === 'timeout') {
          clean = false;
          logger.warn('shutdown step did not finish before the deadline', { step: step.name });
        }
      } catch (error) {
        clean = false;
        logger.warn('shutdown step failed', {
          step: step.name,
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        clearTimeout(timer);
      }
    }
    logger.info('shutdown complete', { clean });
    return clean;
  };

  return {
    register(name, close) {
      steps.push({ name, close });
    },
    shutdown(reason) {
      running ??= run(reason);
      return running;
    },
  };
}
