import { Job, type Queue, type QueueEvents } from 'bullmq';

/** Thrown when the job has not finished within the wait; its message says "timed out". */
export class JobWaitTimeout extends Error {
  override readonly name = 'JobWaitTimeout';
}

/**
 * Waits for a job to finish, as BullMQ's `job.waitUntilFinished` does: resolves with its return
 * value, rejects with its failed reason, or with JobWaitTimeout after `timeoutMs`, or with what
 * `abort` rejects with (CliContext.lost: the command's Redis stopped answering).
 *
 * Not `waitUntilFinished` itself: it checks whether the job had already finished inside an async
 * Promise executor, so a Redis that dies during that check leaves a rejection nobody handles,
 * which ends the process with a stack trace instead of the CLI's exit code 4. Here every Redis
 * call is awaited by the caller.
 */
export async function waitForJob(
  queue: Queue,
  jobId: string,
  events: QueueEvents,
  timeoutMs: number,
  abort: Promise<never>,
): Promise<unknown> {
  let onCompleted: (args: { jobId: string; returnvalue: unknown }) => void = () => undefined;
  let onFailed: (args: { jobId: string; failedReason: string }) => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const finished = new Promise<unknown>((resolve, reject) => {
    onCompleted = (args) => {
      if (args.jobId === jobId) resolve(args.returnvalue);
    };
    onFailed = (args) => {
      if (args.jobId === jobId) reject(new Error(args.failedReason));
    };
    timer = setTimeout(
      () =>
        reject(new JobWaitTimeout(`job ${jobId} timed out: not finished after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  finished.catch(() => undefined); // settled before it is awaited (a failure heard early)
  events.on('completed', onCompleted);
  events.on('failed', onFailed);
  try {
    // Listening first, then a look at the job: one that finished before the listening began is
    // found here, one that finishes after it is heard.
    await Promise.race([events.waitUntilReady(), abort]);
    const state = await Promise.race([queue.getJobState(jobId), abort]);
    if (state === 'completed' || state === 'failed') {
      // Read after the state: a job read before could have finished since, without its result.
      const job = await Promise.race([Job.fromId(queue, jobId), abort]);
      if (state === 'failed') throw new Error(job?.failedReason ?? `job ${jobId} failed`);
      return job?.returnvalue;
    }
    return await Promise.race([finished, abort]);
  } finally {
    clearTimeout(timer);
    events.off('completed', onCompleted);
    events.off('failed', onFailed);
  }
}
