import { DelayedError, Job, UnrecoverableError, type Queue } from 'bullmq';
import type { Logger } from '@so-connector/logger';
import { BudgetExceededError, partitionOf } from '@so-connector/queue';
import { SuperOfficeError } from '@so-connector/superoffice-client';
import type { ReconsentStore } from './reconsent-store';
import { isRevokedCredential } from './tenant-client';
import { TenantPausedError, type TenantPauses } from './tenant-pause';
import type { TenantRuntime } from './tenant-runtime';
import type { TenantAccess, TenantRuntimes } from './tenant-runtimes';
import type { PulledJob, TenantSlots } from './tenant-slots';

/** The skip reason of a job whose tenant is not (or no longer) registered. */
export const TENANT_UNKNOWN = 'tenant-unknown';
/** The skip reason of a maintenance job whose tenant needs re-consent. */
export const NEEDS_RECONSENT = 'needs-reconsent';
/** The skip reason of a maintenance job whose tenant is over a budget. */
export const OVER_BUDGET = 'over-budget';
/** The skip reason of a maintenance job whose tenant was asked to wait (Retry-After). */
export const RATE_LIMITED = 'rate-limited';
/** The skip reason of a maintenance job whose tenant already holds its share of the slots. */
export const TENANT_BUSY = 'tenant-busy';

export interface TenantJobsOptions {
  readonly runtimes: TenantRuntimes;
  readonly reconsent: ReconsentStore;
  /** How long a job of a tenant that needs re-consent waits before it looks again. */
  readonly deferMs: number;
  readonly logger: Logger;
  /**
   * What a job of a tenant that needs re-consent, is over budget or paused does: `defer`
   * (default; events, enrichments and backfills, which must not be lost) or `skip` (scheduled
   * maintenance: the next run looks again).
   */
  readonly whenNeedsReconsent?: 'defer' | 'skip';
  /**
   * Per-tenant Retry-After pauses: a Retry-After while the tenant's runtime is built pauses the
   * tenant and defers the job.
   */
  readonly pauses?: TenantPauses;
  /**
   * Whether a paused tenant's jobs wait before they start (default true: for jobs that call
   * SuperOffice or the provider; the events stage, which calls neither once built, runs on).
   */
  readonly honourPauses?: boolean;
  /**
   * The stage's per-tenant slots in this process (tenant-slots.ts): a job of a tenant that holds
   * its share already moves to delayed for a moment without using an attempt (maintenance: skipped
   * as `whenNeedsReconsent` says), so a tenant whose SuperOffice hangs leaves slots to the others.
   */
  readonly slots?: TenantSlots;
  /**
   * With `slots`: the queue (partition) a job of the stage came from. A freed slot brings the
   * tenant's turned-away job forward through it; without it, that job waits for its time.
   */
  readonly queueOf?: (job: Job) => Queue | undefined;
}

/**
 * Runs a processor with its job's tenant (`job.data.tenant`) resolved to that tenant's runtime:
 * - tenant not registered → the job completes as skipped (`tenant-unknown`), never retried;
 * - tenant needs re-consent, or SuperOffice refuses its credential during the job
 *   (`invalid_grant`) → the tenant is marked, the job moves to delayed for `deferMs` without using
 *   an attempt (DelayedError), and is woken early when the mark is cleared;
 * - the tenant is over one of its budgets (BudgetExceededError from its client or provider) → the
 *   job moves to delayed until the budget frees up, without using an attempt (maintenance: skipped);
 * - the tenant is paused by a Retry-After (TenantPausedError: before the job when `pauses` says so,
 *   or from the job) → the same, until the pause ends;
 * - the tenant already runs its share of the stage's slots in this process (`slots`) → the job
 *   moves to delayed for a moment without using an attempt (maintenance: skipped, `tenant-busy`);
 * - credentials the tenant cannot sign in with → UnrecoverableError naming the tenant.
 */
export function servePerTenant<D extends { readonly tenant: string }, R>(
  options: TenantJobsOptions,
  processor: (job: Job<D>, runtime: TenantRuntime) => Promise<R>,
  skipped: (reason: string, detail: string) => R,
): (job: Job<D>, token?: string) => Promise<R> {
  const waitForConsent = (job: Job<D>, token: string | undefined, ctx: string): Promise<R> =>
    options.whenNeedsReconsent === 'skip'
      ? Promise.resolve(skipped(NEEDS_RECONSENT, `tenant ${ctx} needs re-consent`))
      : defer(job, token, ctx);
  const defer = async (job: Job<D>, token: string | undefined, ctx: string): Promise<never> => {
    if (token === undefined || job.id === undefined)
      throw new Error(`tenant ${ctx} needs re-consent; the job cannot be deferred without a lock`);
    await options.reconsent.deferred(ctx, job.queueName, job.id);
    await job.moveToDelayed(Date.now() + options.deferMs, token);
    options.logger.debug('job deferred: tenant needs re-consent', {
      tenant: ctx,
      queue: job.queueName,
      jobId: job.id,
    });
    throw new DelayedError();
  };

  /** Over budget or paused: the job waits until `retryAt` (a maintenance job is skipped). */
  const waitUntil = async (
    job: Job<D>,
    token: string | undefined,
    error: BudgetExceededError | TenantPausedError,
  ): Promise<R> => {
    const over = error instanceof BudgetExceededError;
    // One line per job would flood the log during a flood: the run facts show each deferral.
    options.logger.debug(over ? 'job deferred: tenant over budget' : 'job deferred: Retry-After', {
      tenant: error.tenant,
      ...(over ? { budget: error.kind } : { source: error.source }),
      until: new Date(error.retryAt).toISOString(),
      queue: job.queueName,
      jobId: job.id,
    });
    if (options.whenNeedsReconsent === 'skip' || token === undefined)
      return skipped(over ? OVER_BUDGET : RATE_LIMITED, error.message);
    // A pause's jobs come back spread over a little while, not all at its last millisecond
    // (budgets spread theirs a window at a time: tenant-budget.ts).
    await job.moveToDelayed(over ? error.retryAt : error.retryAt + pauseJitterMs(error), token);
    throw new DelayedError();
  };

  /** The tenant holds its share of the slots: the job comes back at `retryAt`. */
  const waitForSlot = async (
    job: Job<D>,
    token: string | undefined,
    ctx: string,
    retryAt: number,
  ): Promise<R> => {
    const detail = `tenant ${ctx} already runs its share of this worker's ${job.queueName} slots`;
    if (options.whenNeedsReconsent === 'skip' || token === undefined)
      return skipped(TENANT_BUSY, detail);
    options.logger.debug('job deferred: tenant holds its share of the slots', {
      tenant: ctx,
      until: new Date(retryAt).toISOString(),
      queue: job.queueName,
      jobId: job.id,
    });
    await job.moveToDelayed(retryAt, token);
    throw new DelayedError();
  };

  return async (job, token) => {
    const ctx: unknown = (job.data as { tenant?: unknown } | undefined)?.tenant;
    if (typeof ctx !== 'string' || ctx === '')
      throw new UnrecoverableError(`invalid ${job.queueName} job data: tenant is required`);
    let access: TenantAccess;
    try {
      access = await options.runtimes.access(ctx);
    } catch (error) {
      // Told to wait while the runtime was built (its own associate is read from SuperOffice).
      if (!options.pauses || !isRetryAfter(error)) throw error;
      return waitUntil(
        job,
        token,
        await options.pauses.pause(ctx, 'superoffice', error.retryAfterMs),
      );
    }
    if (access.kind === 'unknown') {
      options.logger.info('job skipped: its tenant is not registered', {
        tenant: ctx,
        queue: job.queueName,
        jobId: job.id,
      });
      return skipped(TENANT_UNKNOWN, `tenant ${ctx} is not registered in this deployment`);
    }
    if (access.kind === 'needs-reconsent') return waitForConsent(job, token, ctx);
    const paused = options.honourPauses === false ? undefined : await options.pauses?.current(ctx);
    if (paused) return waitUntil(job, token, paused);
    // Taken and released synchronously around the processor: no await between check and count.
    const slot = options.slots?.take(ctx, Date.now(), job.id);
    if (slot && !slot.granted) return waitForSlot(job, token, ctx, slot.retryAt);
    // A job told to wait for the tenant's budget or pause pulls no other job of it forward: that
    // one would only be told the same (a flood's held jobs would turn round one after another).
    let toldToWait = false;
    try {
      return await processor(job, access.runtime);
    } catch (error) {
      if (error instanceof BudgetExceededError || error instanceof TenantPausedError) {
        toldToWait = true;
        return waitUntil(job, token, error);
      }
      // A maintenance task (sweep, backfill) told to wait: the tenant pauses, as an enrichment's
      // Retry-After does (enrich.processor.ts), instead of the job using an attempt.
      if (options.pauses && isRetryAfter(error))
        return waitUntil(
          job,
          token,
          await options.pauses.pause(ctx, 'superoffice', error.retryAfterMs),
        );
      if (!isRevokedCredential(error)) throw error;
      await options.runtimes.revoked(access.runtime.tenant, error.errorType ?? 'invalid_grant');
      return waitForConsent(job, token, ctx);
    } finally {
      // The freed slot brings the tenant's earliest turned-away job forward (tenant-slots.ts).
      const pulled = slot?.release(Date.now(), !toldToWait);
      const queue = pulled === undefined ? undefined : options.queueOf?.(job);
      if (pulled !== undefined && queue !== undefined)
        void bringForward(queue, pulled, options.logger);
    }
  };
}

/**
 * Moves a turned-away job of `queue` to wait now, if it is still delayed for the time the slot
 * cap gave it. One delayed since for another reason (it ran in another process and waits for a
 * retry backoff, a budget window, a pause or re-consent) is left alone: promoting it would skip
 * that wait. BullMQ scores a delayed job `time × 0x1000 + n` (getDelayedScore.lua), and
 * `moveToDelayed(retryAt)` makes `time` exactly `retryAt`.
 */
export async function bringForward(queue: Queue, pulled: PulledJob, logger: Logger): Promise<void> {
  const { id, retryAt } = pulled;
  try {
    const client = await queue.client;
    const score = await client.zscore(queue.keys.delayed!, id);
    if (score === null || Math.floor(Number(score) / 0x1000) !== retryAt) return;
    const next = await queue.getJob(id);
    if (next) await next.promote();
  } catch (error) {
    logger.debug('turned-away job not brought forward', {
      queue: queue.name,
      jobId: id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** Up to 2 s, or a tenth of the pause when that is shorter: when a paused job comes back. */
function pauseJitterMs(pause: TenantPausedError): number {
  const left = Math.max(0, pause.retryAt - Date.now());
  return Math.floor(Math.random() * Math.min(2000, left / 10));
}

/** A SuperOffice answer that says when to try again (429, or 503 with Retry-After). */
function isRetryAfter(error: unknown): error is SuperOfficeError & { retryAfterMs: number } {
  return error instanceof SuperOfficeError && error.retryable && error.retryAfterMs !== undefined;
}

/**
 * Wakes deferred jobs (`queue/jobId`) of `tenant` that are still delayed; others are left alone.
 * A queue name may stand for several partitions (`queues` lists them in partition order), whose
 * job ids are counted apart (an enrichment's id can exist in two): with the tenant known only its
 * partition is read, and only its own job is promoted; without, every partition.
 */
export async function promoteDeferred(
  queues: readonly Queue[],
  jobs: readonly string[],
  logger: Logger,
  tenant?: string,
): Promise<void> {
  for (const entry of jobs) {
    const slash = entry.indexOf('/');
    const named = queues.filter((q) => q.name === entry.slice(0, slash));
    const read =
      tenant === undefined || named.length === 0
        ? named
        : [named[partitionOf(tenant, named.length)]!];
    for (const queue of read) {
      const job = await Job.fromId<{ tenant?: unknown }>(queue, entry.slice(slash + 1));
      if (!job || !(await job.isDelayed())) continue;
      if (tenant !== undefined && job.data.tenant !== tenant) continue;
      await job
        .promote()
        .catch((error: unknown) =>
          logger.debug('deferred job not promoted', { job: entry, error: String(error) }),
        );
    }
  }
}
