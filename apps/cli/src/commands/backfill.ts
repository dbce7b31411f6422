import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  BackfillProgressStore,
  backfillResultSchema,
  MAINTENANCE_JOB_NAMES,
  maintenanceJobSchema,
  QUEUE_NAMES,
  type BackfillProgress,
  type BackfillResult,
  tenantKeyPrefix,
} from '@so-connector/queue';
import { UsageError, type Run } from '../command';
import type { CliContext } from '../context';
import { CliError, EXIT } from '../errors';
import { parseDuration, parseSince } from '../format/duration';
import { JobWaitTimeout, waitForJob } from '../wait-for-job';

interface BackfillOptions {
  entities: string;
  owner?: string;
  category?: string;
  business?: string;
  targetEmpty?: boolean;
  updatedSince?: string;
  idsFile?: string;
  dryRun?: boolean;
  rate: string;
  maxProviderCalls?: string;
  timeout: string;
}

const JOB_OPTIONS = {
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
  // A worker that dies mid-run leaves the job stalled; the next worker resumes it from the cursor.
  attempts: 3,
} as const;

const ids = (text: string | undefined, what: string): number[] | undefined => {
  if (text === undefined) return undefined;
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p) || Number(p) <= 0))
    throw new UsageError(`${what}: expected whole numbers separated by commas (got ${text})`);
  return parts.map(Number);
};

/** `[#####-----] 50% 100/200 · 2.0/s · ETA 50s` from two progress readings. */
export function progressLine(progress: BackfillProgress, ratePerSecond: number): string {
  const total = Math.max(1, progress.matched);
  const share = Math.min(1, progress.done / total);
  const bar = '#'.repeat(Math.round(share * 20)).padEnd(20, '-');
  const remaining = Math.max(0, progress.toEnrich - progress.enqueued);
  const eta = ratePerSecond > 0 ? `${Math.ceil(remaining / ratePerSecond)}s` : '?';
  return `[${bar}] ${Math.round(share * 100)}% ${progress.done}/${progress.matched} · enqueued ${progress.enqueued}/${progress.toEnrich} · ${ratePerSecond.toFixed(1)}/s · ETA ${eta}`;
}

function describe(result: BackfillResult): string {
  return [
    `backfill ${result.runId}: ${result.status}`,
    `  matched            ${result.matched}`,
    `  already current    ${result.current} (no read, no provider call)`,
    `  to enrich          ${result.toEnrich}`,
    `  provider calls     at most ${result.providerCalls}`,
    `  SuperOffice calls  at most ${result.superOfficeCalls}`,
    `  enqueued           ${result.enqueued}`,
  ].join('\n');
}

async function backfill(ctx: CliContext, opts: BackfillOptions): Promise<number | undefined> {
  if (!['contacts', 'persons', 'both'].includes(opts.entities))
    throw new UsageError(`--entities ${opts.entities}: expected contacts, persons or both`);
  const rate = Number(opts.rate);
  if (!Number.isInteger(rate) || rate <= 0)
    throw new UsageError(`--rate ${opts.rate}: expected enrichments per minute, a whole number`);
  const cap = opts.maxProviderCalls === undefined ? undefined : Number(opts.maxProviderCalls);
  if (cap !== undefined && (!Number.isInteger(cap) || cap < 0))
    throw new UsageError(`--max-provider-calls ${opts.maxProviderCalls}: expected a whole number`);
  const since =
    opts.updatedSince === undefined ? undefined : parseSince(opts.updatedSince, Date.now());
  if (since && !since.ok) throw new UsageError(since.message);
  const timeoutMs = parseDuration(opts.timeout);
  if (!timeoutMs)
    throw new UsageError(`--timeout ${opts.timeout}: expected a duration such as 90s, 10m`);
  let fileIds: number[] | undefined;
  if (opts.idsFile) {
    const text = await readFile(opts.idsFile, 'utf8').catch((error: unknown) => {
      throw new UsageError(`--ids-file ${opts.idsFile}: ${(error as Error).message}`);
    });
    fileIds = ids(text, `--ids-file ${opts.idsFile}`);
  }
  const selection = {
    entities: opts.entities as 'contacts' | 'persons' | 'both',
    owners: ids(opts.owner, '--owner'),
    categories: ids(opts.category, '--category'),
    businesses: ids(opts.business, '--business'),
    targetEmpty: Boolean(opts.targetEmpty),
    updatedSince: opts.updatedSince,
    ids: fileIds,
  };
  // The same selection is the same run: a stopped one resumes after its cursor.
  const runId = createHash('sha256').update(JSON.stringify(selection)).digest('hex').slice(0, 16);
  const data = maintenanceJobSchema.parse({
    tenant: ctx.tenant,
    trigger: 'cli',
    backfill: {
      ...Object.fromEntries(Object.entries(selection).filter(([, v]) => v !== undefined)),
      ...(since?.ok ? { updatedSince: since.iso } : {}),
      runId,
      ratePerMinute: rate,
      ...(cap !== undefined ? { maxProviderCalls: cap } : {}),
      dryRun: Boolean(opts.dryRun),
    },
  });

  const redis = await ctx.redis();
  const prefix = ctx.config().queue.prefix;
  const progress = new BackfillProgressStore(
    redis,
    tenantKeyPrefix(prefix, ctx.config().queue.partitions),
  );
  const before = await progress.read(ctx.tenant, runId);
  if (
    !opts.dryRun &&
    before?.status === 'running' &&
    Date.now() - Date.parse(before.updatedAt) < 2 * 60_000
  )
    throw new CliError(
      `backfill ${runId} of this selection is running (updated ${before.updatedAt}); wait for it or stop it first`,
      EXIT.failed,
    );

  const queue = await ctx.queue(QUEUE_NAMES.maintenance);
  const events = await ctx.queueEvents(QUEUE_NAMES.maintenance);
  const job = await queue.add(MAINTENANCE_JOB_NAMES.backfill, data, JOB_OPTIONS);
  if ((await queue.getWorkersCount()) === 0)
    ctx.out.note(
      `no worker is connected to ${QUEUE_NAMES.maintenance}: backfill job ${job.id ?? '?'} waits until one starts`,
    );

  let stopping = false;
  const onInterrupt = () => {
    if (stopping) return;
    stopping = true;
    ctx.out.note('stopping after the current record; run the same command again to resume');
    void progress.requestStop(ctx.tenant, runId).catch(() => undefined);
  };
  process.on('SIGINT', onInterrupt);
  let last: { at: number; enqueued: number } | undefined;
  const poll = setInterval(() => {
    // Best effort: a read that fails (Redis gone) skips one line; ctx.lost ends the wait.
    void progress.read(ctx.tenant, runId).then(
      (p) => {
        if (!p || p.status !== 'running') return;
        const now = Date.now();
        const rateNow = last
          ? ((p.enqueued - last.enqueued) * 1000) / Math.max(1, now - last.at)
          : 0;
        last = { at: now, enqueued: p.enqueued };
        // Progress goes to stderr (a JSON line each with --json): stdout stays the one result.
        if (ctx.out.json) ctx.io.stderr.write(`${JSON.stringify({ progress: p })}\n`);
        else ctx.out.progress(progressLine(p, rateNow));
      },
      () => undefined,
    );
  }, 1000);
  let returned: unknown;
  try {
    returned = await waitForJob(queue, job.id ?? '', events, timeoutMs, ctx.lost);
  } catch (error) {
    if (error instanceof CliError) throw error; // Redis stopped answering (ctx.lost)
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(
      error instanceof JobWaitTimeout
        ? `backfill ${runId} did not finish within ${opts.timeout}; it goes on in the worker (Bull Board, or run the same command to follow it)`
        : `backfill ${runId} failed: ${message}`,
      EXIT.failed,
    );
  } finally {
    clearInterval(poll);
    process.off('SIGINT', onInterrupt);
  }
  const result = backfillResultSchema.safeParse(returned);
  if (!result.success)
    throw new CliError(
      `backfill job ${job.id ?? '?'} returned something that is not a backfill result`,
      EXIT.failed,
    );
  ctx.out.result({ jobId: job.id, result: result.data }, () => describe(result.data));
  if (result.data.status === 'capped')
    ctx.out.note('stopped at --max-provider-calls; run again with a higher cap to go on');
  return result.data.status === 'stopped' ? EXIT.failed : undefined;
}

/** `backfill`: enrich the records a customer already has, paced, capped, resumable. */
export function registerBackfill(program: Command, run: Run): void {
  program
    .command('backfill')
    .description(
      'enrich existing records selected by filters: the worker runs it (so-maintenance), paced behind live traffic; Ctrl-C stops, the same command resumes',
    )
    .option('--entities <which>', 'contacts, persons or both', 'contacts')
    .option('--owner <ids>', 'owner associate ids, comma-separated')
    .option('--category <ids>', 'Category list item ids')
    .option('--business <ids>', 'Business list item ids')
    .option('--target-empty', 'only records where a target UDF is empty')
    .option('--updated-since <time>', 'ISO time or a duration back from now (30d)')
    .option('--ids-file <path>', 'a file of record ids (whitespace or comma separated)')
    .option('--dry-run', 'count: matched, provider calls and SuperOffice calls it would take')
    .option('--rate <perMinute>', 'enrichments enqueued per minute at most', '60')
    .option('--max-provider-calls <n>', 'stop before more provider calls than this')
    .option('--timeout <duration>', 'how long to follow it', '24h')
    .action(run((ctx, command) => backfill(ctx, command.opts<BackfillOptions>())));
}
