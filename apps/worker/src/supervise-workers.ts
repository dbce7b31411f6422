import type { Job, Worker } from 'bullmq';
import type { Logger, ShutdownRegistry } from '@so-connector/logger';
import { closeWhenReady } from '@so-connector/queue';

export interface SupervisedWorkers {
  /** Logs the worker's errors and failed jobs, and closes it with the others on shutdown. */
  add(worker: Worker): void;
  /** Resolves once every added worker's connections are up. */
  ready(): Promise<void>;
}

/**
 * The BullMQ workers of one process, closed together in one shutdown step registered now (so it
 * runs before the queues and connection registered earlier, after anything registered later).
 *
 * The rule (docs/worker.md, "Stopping"): `close()` stops fetching at once and waits for the active
 * jobs; all workers close in parallel, so none keeps fetching while another finishes its jobs. A job
 * still running when the registry's deadline ends keeps its lock, which then expires: BullMQ's
 * stalled-job check moves it back to wait and another worker (or this one after its restart) runs
 * it again, so nothing is lost.
 */
export function superviseWorkers(
  shutdown: ShutdownRegistry,
  logger: Logger,
  readyWithinMs: number,
): SupervisedWorkers {
  const workers: Worker[] = [];
  shutdown.register('workers', async () => {
    const results = await Promise.all(
      workers.map(async (worker) => {
        const result = await closeWhenReady(worker, readyWithinMs);
        await stopStalledChecker(worker);
        return result;
      }),
    );
    const notReady = workers.filter((_, i) => results[i] === 'not-ready').map((w) => w.name);
    if (notReady.length > 0)
      logger.warn('workers left open: their Redis connection never came up', { notReady });
  });
  return {
    add(worker) {
      worker.on('error', (error: Error) =>
        // Not an error of the service once it is stopping, but still shown: it should not happen.
        shutdown.stopping
          ? logger.warn('worker error while stopping', {
              queue: worker.name,
              error: error.message,
            })
          : logger.error('worker error', { queue: worker.name, error: error.message }),
      );
      worker.on('failed', (job: Job | undefined, error: Error) =>
        logger.warn('job failed', {
          queue: worker.name,
          jobId: job?.id,
          attemptsMade: job?.attemptsMade,
          error: error.message,
        }),
      );
      workers.push(worker);
    },
    async ready() {
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    },
  };
}

/**
 * BullMQ 5.81: a stalled-jobs check still in flight when close() ran (it uses our shared
 * connection, which close() leaves open) arms one more timer of `stalledInterval` afterwards,
 * keeping the process alive that long. Stop the checker until its loop has ended.
 */
async function stopStalledChecker(worker: Worker): Promise<void> {
  const internals = worker as unknown as {
    stalledCheckStopper?: () => void;
    stalledCheckerRunning?: boolean;
  };
  for (let i = 0; i < 50 && internals.stalledCheckerRunning; i++) {
    internals.stalledCheckStopper?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
