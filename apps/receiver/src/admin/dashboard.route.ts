import { Router, type Response } from 'express';
import type { Queue } from 'bullmq';
import type { BackfillProgressStore } from '@so-connector/queue';
import type { Logger } from '@so-connector/logger';
import {
  ENTRY_STATUSES,
  type ActivityCounters,
  type EntryStatus,
  type SyncRunStore,
  type WebhookHealthStore,
} from '@so-connector/sync-runs';
import { mergeBuckets } from './chart';
import { accountHints, findRunByJob } from './find-run-by-job';
import { bullBoardJobHref, runHref } from './links';
import { renderBackfills } from './pages/backfills.page';
import { renderDashboard, type QueueCounts, type RunFilter } from './pages/dashboard.page';
import type { FieldNames } from './pages/field-names';
import { renderMessage } from './pages/message.page';
import { renderRunDetail } from './pages/run-detail.page';
import { readPart } from './read-part';
import type { AdminRedactor } from './redact';

export interface DashboardDeps {
  readonly tenant: string;
  readonly queues: readonly Queue[];
  readonly runs: SyncRunStore;
  readonly webhookHealth: WebhookHealthStore;
  readonly activity: ActivityCounters;
  /** `so-connector backfill` runs (`{prefix}:backfill:{tenant}:{runId}`, written by the worker). */
  readonly backfills: BackfillProgressStore;
  readonly redact: AdminRedactor;
  /** Names of the configured UDF keys, shown for "fields written". */
  readonly fieldNames: FieldNames;
  readonly logger: Logger;
  readonly redisReady: () => Promise<void>;
  readonly readTimeoutMs: number;
}

const DAY_MS = 24 * 3600_000;
/** The chart plots one point per hour (the counters' 5-minute buckets, summed). */
const CHART_POINT_MS = 3600_000;
const RUNS_SHOWN = 100;
const BACKFILLS_SHOWN = 50;
const UNAVAILABLE =
  'Redis is not reachable: some of this page could not be read. Webhooks are still accepted (into the disk spool); reload when Redis is back.';

function parseFilter(query: Record<string, unknown>): RunFilter {
  const status = typeof query.status === 'string' ? query.status.toUpperCase() : '';
  const account = typeof query.account === 'string' ? query.account.trim().slice(0, 200) : '';
  return {
    status: (ENTRY_STATUSES as readonly string[]).includes(status)
      ? (status as EntryStatus)
      : undefined,
    account: account === '' ? undefined : account,
  };
}

function sendPage(res: Response, status: number, page: string): void {
  res.status(status).type('html').send(page);
}

/** `/admin` (sync runs, health, queues, chart), run details and the job → run redirect. */
export function dashboardRouter(deps: DashboardDeps): Router {
  const router = Router();
  const read = <T>(what: string, fn: () => Promise<T>) =>
    readPart(
      what,
      async () => {
        await deps.redisReady();
        return fn();
      },
      deps.readTimeoutMs,
      deps.logger,
    );
  const message = (title: string, text: string, link?: { href: string; text: string }) =>
    renderMessage({ title, message: text, tenant: deps.tenant, link });

  router.get('/', async (req, res) => {
    const filter = parseFilter(req.query);
    const now = Date.now();
    const [runs, health, queues, activity] = await Promise.all([
      read('sync runs', () =>
        deps.runs.recentRuns({ tenant: deps.tenant, ...filter, limit: RUNS_SHOWN }),
      ),
      read('webhook health', () => deps.webhookHealth.read(deps.tenant)),
      read('queue counts', () =>
        Promise.all(
          deps.queues.map(async (queue): Promise<QueueCounts> => {
            const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
            return {
              name: queue.name,
              waiting: counts.waiting ?? 0,
              delayed: counts.delayed ?? 0,
              active: counts.active ?? 0,
              failed: counts.failed ?? 0,
            };
          }),
        ),
      ),
      read('activity', async () =>
        mergeBuckets(
          // From a full hour, so each point is one clock hour.
          await deps.activity.series(
            deps.tenant,
            Math.floor((now - DAY_MS) / CHART_POINT_MS) * CHART_POINT_MS,
            now,
          ),
          Math.max(1, Math.round(CHART_POINT_MS / deps.activity.bucketMs)),
        ),
      ),
    ]);
    const failed = [runs, health, queues, activity].some((part) => !part.ok);
    const page = renderDashboard(
      {
        tenant: deps.tenant,
        filter,
        runs,
        health,
        queues,
        activity,
        fieldNames: deps.fieldNames,
        banner: failed ? UNAVAILABLE : undefined,
      },
      deps.redact,
    );
    sendPage(res, failed ? 503 : 200, page);
  });

  router.get('/backfills', async (_req, res) => {
    const runs = await read('backfill runs', () =>
      deps.backfills.list(deps.tenant, BACKFILLS_SHOWN),
    );
    sendPage(res, runs.ok ? 200 : 503, renderBackfills(deps.tenant, runs, BACKFILLS_SHOWN));
  });

  router.get('/runs/:accountId/:runId', async (req, res) => {
    const accountId = /^\d{1,15}$/.test(req.params.accountId) ? Number(req.params.accountId) : NaN;
    if (Number.isNaN(accountId))
      return sendPage(res, 404, message('Not found', 'There is no such account id.'));
    const run = await read('sync run', () =>
      deps.runs.findRun(deps.tenant, accountId, req.params.runId),
    );
    if (!run.ok) return sendPage(res, 503, message('Unavailable', UNAVAILABLE));
    if (!run.value)
      return sendPage(
        res,
        404,
        message(
          'Sync run not found',
          `Account ${accountId} has no run ${req.params.runId} (runs are kept for 14 days).`,
        ),
      );
    sendPage(res, 200, renderRunDetail(deps.tenant, run.value, deps.redact, deps.fieldNames));
  });

  router.get('/jobs/:queue/:jobId', async (req, res) => {
    const { queue: queueName, jobId } = req.params;
    const queue = deps.queues.find((q) => q.name === queueName);
    if (!queue) return sendPage(res, 404, message('Not found', `There is no queue ${queueName}.`));
    const found = await read('sync run of a job', async () => {
      const job = await queue.getJob(jobId);
      return findRunByJob({
        runs: deps.runs,
        tenant: deps.tenant,
        queue: queueName,
        jobId,
        hints: job ? accountHints(queueName, job.data) : [],
      });
    });
    if (!found.ok) return sendPage(res, 503, message('Unavailable', UNAVAILABLE));
    if (!found.value)
      return sendPage(
        res,
        404,
        message(
          'No sync run for this job',
          `No retained sync run refers to job ${jobId} of ${queueName} (the worker may not have picked it up yet, or the run is older than 14 days).`,
          { href: bullBoardJobHref(queueName, jobId), text: 'the job in Bull Board' },
        ),
      );
    res.redirect(302, runHref(found.value.accountId, found.value.id));
  });

  return router;
}
