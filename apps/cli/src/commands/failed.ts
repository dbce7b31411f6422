import type { Command } from 'commander';
import { parsePartitionLabel, QUEUE_NAMES, type QueueName } from '@so-connector/queue';
import type { Job } from 'bullmq';
import { argsOf, UsageError, type Run } from '../command';
import type { CliContext } from '../context';
import { CliError, EXIT } from '../errors';
import { formatTable } from '../format/table';

const ALL_QUEUES: readonly QueueName[] = [
  QUEUE_NAMES.events,
  QUEUE_NAMES.enrich,
  QUEUE_NAMES.maintenance,
];

export interface FailedJobView {
  /** The queue's name, or its partition's label (`p3.so-enrich`) from partition 1 on. */
  readonly queue: string;
  readonly id: string;
  readonly name: string;
  readonly attempts: number;
  readonly failedReason: string;
  /** When it failed (ISO), else when it was added. */
  readonly at: string | null;
}

function failedView(queue: string, job: Job): FailedJobView {
  const ms = job.finishedOn ?? job.timestamp;
  return {
    queue,
    id: job.id ?? '?',
    name: job.name,
    attempts: job.attemptsMade,
    failedReason: job.failedReason ?? '',
    at: Number.isFinite(ms) ? new Date(ms).toISOString() : null,
  };
}

/** The queues `--queue` names (every partition of a name, or one partition by its label). */
interface QueueChoice {
  readonly names: readonly QueueName[];
  readonly partition?: number;
}

function queuesOption(value: string | undefined): QueueChoice {
  if (value === undefined) return { names: ALL_QUEUES };
  const { name, partition } = parsePartitionLabel(value);
  const queue = ALL_QUEUES.find((q) => q === name);
  if (!queue)
    throw new UsageError(`--queue must be one of ${ALL_QUEUES.join(', ')} (got ${value})`);
  return name === value ? { names: [queue] } : { names: [queue], partition };
}

/**
 * Every partition of the chosen queues (QUEUE_PARTITIONS), labelled. A partition the queue does not
 * have (`p9.so-enrich` with 8, any `pN.so-maintenance`) is a usage error, not an empty answer.
 */
async function chosenQueues(ctx: CliContext, choice: QueueChoice) {
  const all = (await Promise.all(choice.names.map((name) => ctx.partitions(name)))).flat();
  const chosen = all.filter(
    (q) => choice.partition === undefined || q.partition === choice.partition,
  );
  if (chosen.length === 0)
    throw new UsageError(
      `--queue: ${choice.names.join(', ')} has ${all.length} partition${all.length === 1 ? '' : 's'} (QUEUE_PARTITIONS), labelled ${all.map((q) => q.label).join(', ')}`,
    );
  return chosen;
}

/** Whether the job belongs to the tenant `--tenant` chose (every job without `--tenant`). */
function ofChosenTenant(ctx: CliContext, job: Job): boolean {
  const chosen = ctx.chosenTenant;
  return chosen === undefined || (job.data as { tenant?: unknown } | undefined)?.tenant === chosen;
}

async function failedJobs(ctx: CliContext, choice: QueueChoice, limit: number) {
  const out: { queue: string; job: Job }[] = [];
  for (const { queue, label } of await chosenQueues(ctx, choice)) {
    // With --tenant, `limit` counts that tenant's jobs: read the failed set a page at a time.
    for (let start = 0, taken = 0; taken < limit; start += limit) {
      const page = await queue.getFailed(start, start + limit - 1);
      for (const job of page)
        if (job && ofChosenTenant(ctx, job) && taken < limit) {
          out.push({ queue: label, job });
          taken++;
        }
      if (page.length < limit || ctx.chosenTenant === undefined) break;
    }
  }
  return out.sort((a, b) => (b.job.finishedOn ?? 0) - (a.job.finishedOn ?? 0));
}

async function list(
  ctx: CliContext,
  opts: { queue?: string; limit: string },
): Promise<number | undefined> {
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError('--limit must be a positive whole number');
  const jobs = (await failedJobs(ctx, queuesOption(opts.queue), limit)).map((j) =>
    failedView(j.queue, j.job),
  );
  ctx.out.result({ failed: jobs }, () =>
    jobs.length === 0
      ? 'no failed jobs'
      : formatTable(jobs, [
          { header: 'QUEUE', value: (j) => j.queue },
          { header: 'JOB', value: (j) => j.id, maxWidth: 40 },
          { header: 'NAME', value: (j) => j.name },
          { header: 'ATTEMPTS', value: (j) => j.attempts },
          { header: 'FAILED AT', value: (j) => j.at },
          { header: 'REASON', value: (j) => j.failedReason, maxWidth: 100 },
        ]),
  );
  return undefined;
}

async function retry(
  ctx: CliContext,
  jobId: string | undefined,
  opts: { all?: boolean; queue?: string },
): Promise<number | undefined> {
  if (Boolean(opts.all) === (jobId !== undefined))
    throw new UsageError(
      'give either a job id or --all: failed retry <jobId> | failed retry --all',
    );
  const queues = queuesOption(opts.queue);
  const retried: { queue: string; id: string; name: string }[] = [];
  if (opts.all) {
    for (const { queue, job } of await failedJobs(ctx, queues, 10_000)) {
      await job.retry('failed');
      retried.push({ queue, id: job.id ?? '?', name: job.name });
    }
  } else {
    const found: { queue: string; job: Job }[] = [];
    for (const { queue, label } of await chosenQueues(ctx, queues)) {
      const job = await queue.getJob(jobId!);
      // Another tenant's job is not there for `--tenant X` (as if it did not exist).
      if (job && ofChosenTenant(ctx, job)) found.push({ queue: label, job });
    }
    if (found.length === 0)
      throw new CliError(
        `no job ${jobId!} in ${queues.names.join(', ')} (see: so-connector failed list)`,
        EXIT.failed,
      );
    if (found.length > 1)
      throw new UsageError(
        `job ${jobId!} exists in ${found.map((f) => f.queue).join(' and ')}: add --queue <name>`,
      );
    const { queue, job } = found[0]!;
    const state = await job.getState();
    if (state !== 'failed')
      throw new CliError(
        `job ${jobId!} in ${queue} is ${state}, not failed: nothing to retry`,
        EXIT.failed,
      );
    await job.retry('failed');
    retried.push({ queue, id: job.id ?? '?', name: job.name });
  }
  ctx.out.result({ retried }, () =>
    retried.length === 0
      ? 'no failed jobs to retry'
      : retried.map((r) => `retrying ${r.queue} job ${r.id} (${r.name})`).join('\n'),
  );
  return undefined;
}

/**
 * `failed list | retry`: failed jobs of so-events, so-enrich and so-maintenance; with `--tenant`,
 * that tenant's only.
 */
export function registerFailed(program: Command, run: Run): void {
  const failed = program
    .command('failed')
    .description('failed jobs in so-events, so-enrich and so-maintenance');
  failed
    .command('list')
    .description('list failed jobs, newest first: queue, job id, name, attempts, time, reason')
    .option(
      '--queue <name>',
      `only this queue (${ALL_QUEUES.join(', ')}; p1.so-enrich …: one partition)`,
    )
    .option('--limit <n>', 'at most this many per queue', '100')
    .action(run((ctx, command) => list(ctx, command.opts<{ queue?: string; limit: string }>())));
  failed
    .command('retry')
    .description('retry one failed job, or all of them')
    .argument('[jobId]', 'the job id (see failed list)')
    .option('--all', 'retry every failed job')
    .option(
      '--queue <name>',
      `only this queue (${ALL_QUEUES.join(', ')}; p1.so-enrich …: one partition)`,
    )
    .action(
      run((ctx, command) =>
        retry(ctx, argsOf(command)[0], command.opts<{ all?: boolean; queue?: string }>()),
      ),
    );
}
