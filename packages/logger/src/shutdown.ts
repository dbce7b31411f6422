import type { Logger } from './create-logger';

export interface ShutdownRegistry {
  /**
   * Registers a named, idempotent close step; steps run in reverse order of registration. A step
   * registered while the shutdown runs is closed in the same run (start-up code that was still
   * going when the signal came); one registered after it finished is closed at once.
   */
  register(name: string, close: () => Promise<void>): void;
  /** Runs every step once, each bounded by what is left of the deadline. Resolves true when all finished. */
  shutdown(reason: string): Promise<boolean>;
  /** True from the first `shutdown()` call on: start-up code stops creating components. */
  readonly stopping: boolean;
}

/**
 * Thrown by start-up code that finds the registry stopping (a signal came during start-up): the
 * process is shutting down, so it is no failure to start.
 */
export class StartAbortedError extends Error {
  override readonly name = 'StartAbortedError';
  constructor(reason = 'a stop signal came during start-up') {
    super(reason);
  }
}

/** Throws StartAbortedError when the registry is stopping; call it between start-up steps. */
export function assertStarting(registry: ShutdownRegistry): void {
  if (registry.stopping) throw new StartAbortedError();
}

/** One shutdown registry per process: every component registers its close, with one deadline for all. */
export function createShutdownRegistry(logger: Logger, deadlineMs: number): ShutdownRegistry {
  const steps: { name: string; close: () => Promise<void> }[] = [];
  let running: Promise<boolean> | undefined;
  let finished = false;

  const run = async (reason: string): Promise<boolean> => {
    logger.info('shutting down', { reason, deadlineMs });
    const deadline = Date.now() + deadlineMs;
    let clean = true;
    // Popped one at a time, so a step registered meanwhile (start-up still going) is closed too.
    for (let step = steps.pop(); step !== undefined; step = steps.pop()) {
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
    finished = true;
    logger.info('shutdown complete', { clean });
    return clean;
  };

  return {
    register(name, close) {
      if (!finished) {
        steps.push({ name, close });
        return;
      }
      close().catch((error: unknown) =>
        logger.warn('shutdown step failed', {
          step: name,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    },
    shutdown(reason) {
      running ??= run(reason);
      return running;
    },
    get stopping() {
      return running !== undefined;
    },
  };
}
