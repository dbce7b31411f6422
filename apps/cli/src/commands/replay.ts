import type { Command } from 'commander';
import {
  MAINTENANCE_JOB_NAMES,
  maintenanceJobSchema,
  QUEUE_NAMES,
  reconcileResultSchema,
  type ReconcileResult,
} from '@so-connector/queue';
import type { QueueEvents } from 'bullmq';
import { UsageError, type Run } from '../command';
import type { CliContext } from '../context';
import { CliError, EXIT } from '../errors';
import { parseDuration, parseSince } from '../format/duration';
import { JobWaitTimeout, waitForJob } from '../wait-for-job';

interface ReplayOptions {
  since: string;
  wait: boolean;
  timeout: string;
}

/** Jobs the CLI adds to so-maintenance stay visible a day when done and a week when failed. */
const REPLAY_JOB_OPTIONS = {
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

function describeResult(id: string, result: ReconcileResult): string {
  return [
    `reconcile job ${id} done: records updated from ${result.since} to ${result.until}`,
    `  contacts  ${result.contacts}`,
    `  persons   ${result.persons}`,
    `  enqueued  ${result.enqueued} enrichments (joined with pending ones of the same record)`,
  ].join('\n');
}

async function replay(ctx: CliContext, opts: ReplayOptions): Promise<number | undefined> {
  const since = parseSince(opts.since, Date.now());
  if (!since.ok) throw new UsageError(since.message);
  const timeoutMs = parseDuration(opts.timeout);
  if (!timeoutMs)
    throw new UsageError(`--timeout ${opts.timeout}: expected a duration such as 90s, 10m`);
  const queue = await ctx.queue(QUEUE_NAMES.maintenance);

  // Listening starts before the job is added, so no event of it can be missed.
  let events: QueueEvents | undefined;
  if (opts.wait) events = await ctx.queueEvents(QUEUE_NAMES.maintenance);

  const data = maintenanceJobSchema.parse({ tenant: ctx.tenant, since: since.iso, trigger: 'cli' });
  const job = await queue.add(MAINTENANCE_JOB_NAMES.reconcile, data, REPLAY_JOB_OPTIONS);
  const id = job.id ?? '?';
  const queued = { queue: QUEUE_NAMES.maintenance, jobId: id, since: since.iso };
  if (!events) {
    ctx.out.result(
      { ...queued, state: await job.getState() },
      () =>
        `queued reconcile job ${id} in ${QUEUE_NAMES.maintenance}: records updated since ${since.iso}`,
    );
    return undefined;
  }

  const workers = await queue.getWorkersCount();
  if (workers === 0) {
    ctx.out.result(
      { ...queued, state: await job.getState(), workers: 0 },
      () =>
        `queued reconcile job ${id} in ${QUEUE_NAMES.maintenance}: records updated since ${since.iso}`,
    );
    ctx.out.note(
      `no worker is connected to ${QUEUE_NAMES.maintenance}: job ${id} stays queued and runs when a worker starts (is apps/worker running against this Redis and QUEUE_PREFIX?)`,
    );
    return EXIT.failed;
  }

  ctx.out.progress(
    `reconcile job ${id} queued; ${workers} worker connection(s) on ${QUEUE_NAMES.maintenance}`,
  );
  events.on('active', ({ jobId }) => {
    if (jobId === id) ctx.out.progress(`reconcile job ${id} is running`);
  });
  events.on('progress', ({ jobId, data: progress }) => {
    if (jobId === id)
      ctx.out.progress(
        `progress: ${typeof progress === 'object' ? JSON.stringify(progress) : String(progress)}`,
      );
  });

  let returned: unknown;
  try {
    returned = await waitForJob(queue, id, events, timeoutMs, ctx.lost);
  } catch (error) {
    if (error instanceof CliError) throw error; // Redis stopped answering (ctx.lost)
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof JobWaitTimeout) {
      throw new CliError(
        `reconcile job ${id} did not finish within ${opts.timeout}; it goes on in the worker (see Bull Board or so-connector failed list)`,
        EXIT.failed,
      );
    }
    throw new CliError(`reconcile job ${id} failed: ${message}`, EXIT.failed);
  }
  const result = reconcileResultSchema.safeParse(returned);
  if (!result.success)
    throw new CliError(
      `reconcile job ${id} returned something that is not a reconcile result`,
      EXIT.failed,
    );
  ctx.out.result({ ...queued, state: 'completed', result: result.data }, () =>
    describeResult(id, result.data),
  );
  return undefined;
}

/** `replay --since`: a reconciliation sweep now, for events SuperOffice dropped. */
export function registerReplay(program: Command, run: Run): void {
  program
    .command('replay')
    .description(
      'catch up on changes since a time: queues a reconcile job on so-maintenance and waits for its result',
    )
    .requiredOption(
      '--since <time>',
      'ISO time (2025-05-14T10:00:00Z) or a duration back from now (30m, 2h, 1d)',
    )
    .option('--no-wait', 'queue the job and return at once')
    .option('--timeout <duration>', 'how long to wait for the result', '10m')
    .action(run((ctx, command) => replay(ctx, command.opts<ReplayOptions>())));
}
