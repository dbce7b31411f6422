import type { Cluster, Redis } from 'ioredis';
import {
  MAX_QUEUE_PARTITIONS,
  partitionCountMismatch,
  strandedJobsMessage,
} from './partition-count-decision';
import { partitionCountKey, unfinishedInPartitions } from './partition-count';

/**
 * What is wrong with serving `configured` partitions right now, or undefined: the recorded count
 * differs (none recorded = 1), or partitions from `configured` on hold waiting/active/delayed
 * work (a process with a larger QUEUE_PARTITIONS queues where nobody at this count looks). Failed
 * jobs there are left out: they are leftovers, not a live mismatch (the worker's start refuses
 * them, checkPartitionCount).
 */
export async function partitionCountProblem(
  connection: Redis | Cluster,
  prefix: string,
  configured: number,
): Promise<string | undefined> {
  const mismatch = partitionCountMismatch(
    await connection.get(partitionCountKey(prefix)),
    configured,
  );
  if (mismatch !== undefined) return mismatch;
  const top = Math.max(MAX_QUEUE_PARTITIONS, configured);
  const beyond = await unfinishedInPartitions(connection, prefix, {
    from: configured,
    to: top,
    failedFrom: top,
  });
  return strandedJobsMessage(configured, beyond);
}

export interface PartitionCountWatch {
  stop(): void;
}

/**
 * Runs `check` now and every `intervalMs`, and calls `report` with its result whenever that
 * changes (the first result too), so a lasting mismatch is one error line, not one a minute; a
 * check that throws (Redis away) is skipped. The timer does not keep the process alive.
 */
export function watchPartitionCount(options: {
  readonly check: () => Promise<string | undefined>;
  readonly intervalMs: number;
  readonly report: (problem: string | undefined) => void;
}): PartitionCountWatch {
  let last: string | undefined | null = null;
  let running = false;
  let stopped = false;
  const run = async () => {
    if (running || stopped) return;
    running = true;
    try {
      const problem = await options.check();
      if (!stopped && problem !== last) {
        last = problem;
        options.report(problem);
      }
    } catch {
      // Redis away: the next round tries again.
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
