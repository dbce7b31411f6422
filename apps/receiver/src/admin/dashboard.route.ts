import { Router, type Request, type Response } from 'express';
import type { BackfillProgressStore } from '@so-connector/queue';
import type { Logger } from '@so-connector/logger';
import {
  ENTRY_STATUSES,
  type ActivityCounters,
  type EntryStatus,
  type SyncRunStore,
  type WebhookHealthStore,
} from '@so-connector/sync-runs';
import { labelled, queueCounts, tenantQueueLabel, type AdminQueueList } from './admin-queues';
import { mergeBuckets } from './chart';
import { accountHints, findRunByJob } from './find-run-by-job';
import { bullBoardJobHref, runHref, TENANTS_HREF, type TenantScope } from './links';
import { renderBackfills } from './pages/backfills.page';
import { renderDashboard, type RunFilter } from './pages/dashboard.page';
import { fieldNames, type FieldNames } from './pages/field-names';
import { renderMessage } from './pages/message.page';
import { renderRunDetail } from './pages/run-detail.page';
import { pageReader } from './read-part';
import type { AdminRedactor } from './redact';
import { resolveScope, type AdminTenants } from './tenant-scope';
import type { TenantStatusReader } from './tenant-status';

export interface DashboardDeps {
  /** The tenants the request's user may see (`tenantsFor`). */
  readonly tenants: (res: Response) => AdminTenants;
  /** Every queue, each partition apart (QUEUE_PARTITIONS). */
  readonly queues: AdminQueueList;
  readonly runs: SyncRunStore;
  /** Last event, re-consent mark and budget use. */
  readonly status: TenantStatusReader;
  readonly webhookHealth: WebhookHealthStore;
  readonly activity: ActivityCounters;
  /** `so-connector backfill` runs (`{prefix}:backfill:{tenant}:{runId}`, written by the worker). */
  readonly backfills: BackfillProgressStore;
  readonly redact: AdminRedactor;
  /**
   * Names of the environment's UDF keys (SO_UDF_*), shown for "fields written" of a tenant whose
   * own UDF map `tenants` does not give.
   */
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

/** The tenant named in a job's data, if any. */
function tenantOfJob(data: unknown): string | undefined {
  return typeof data === 'object' &&
    data !== null &&
    'tenant' in data &&
    typeof data.tenant === 'string'
    ? data.tenant
    : undefined;
}

/** The names of `tenant`'s UDF keys: its own map from the registry, else the environment's. */
function fieldNamesOf(deps: DashboardDeps, res: Response, tenant: string): FieldNames {
  const udf = deps.tenants(res).udf?.(tenant);
  return udf === undefined ? deps.fieldNames : fieldNames(udf);
}

/** The tenant a request's pages are about, set by the router's first handler. */
function scopeOf(res: Response): TenantScope {
  return res.locals.scope as TenantScope;
}

/**
 * One tenant's pages: `/` (sync runs, health, queues, chart), `/backfills`, run details and the
 * job → run redirect. Mounted at `/admin` for the default tenant and at `/admin/t/:tenant` for
 * each tenant (`tenant-scope.ts`).
 */
export function dashboardRouter(deps: DashboardDeps): Router {
  const router = Router({ mergeParams: true });
  const read = pageReader(deps);
  const allQueues = labelled(deps.queues);
  const message = (
    scope: TenantScope | undefined,
    title: string,
    text: string,
    link?: { href: string; text: string },
    restricted?: boolean,
  ) => renderMessage({ title, message: text, scope, link, restricted });

  // A job belongs to the tenant in its data, whichever tenant's path it was asked under: Bull
  // Board (deployment-wide) links here. A tenant admin is told nothing about another tenant's
  // job: it is answered as a job that does not exist.
  router.get('/jobs/:queue/:jobId', async (req: Request<{ queue: string; jobId: string }>, res) => {
    // A partition's label (`p3.so-enrich`, as Bull Board lists it) or a queue's name.
    const { queue: queueLabel, jobId } = req.params;
    const tenants = deps.tenants(res);
    const queue = allQueues.find((q) => q.label === queueLabel)?.queue;
    const queueName = queue?.name ?? queueLabel;
    if (!queue)
      return sendPage(res, 404, message(undefined, 'Not found', `There is no queue ${queueName}.`));
    const jobRead = await read('job', () => queue.getJob(jobId));
    if (!jobRead.ok) return sendPage(res, 503, message(undefined, 'Unavailable', UNAVAILABLE));
    const ownTenant = tenantOfJob(jobRead.value?.data);
    const hidden =
      tenants.restricted === true &&
      ownTenant !== undefined &&
      resolveScope(tenants, ownTenant).kind !== 'tenant';
    const job = hidden ? undefined : jobRead.value;
    const resolved = resolveScope(
      tenants,
      (job && tenantOfJob(job.data)) ?? tenants.defaultTenant(),
    );
    const inBullBoard = tenants.restricted
      ? undefined
      : { href: bullBoardJobHref(queueLabel, jobId), text: 'the job in Bull Board' };
    if (resolved.kind !== 'tenant')
      return sendPage(
        res,
        404,
        message(
          undefined,
          'No sync run for this job',
          `Job ${jobId} of ${queueName} belongs to no tenant this connector serves.`,
          inBullBoard,
          tenants.restricted,
        ),
      );
    const scope = resolved.scope;
    const found = await read('sync run of a job', () =>
      findRunByJob({
        runs: deps.runs,
        tenant: scope.tenant,
        queue: queueName,
        jobId,
        hints: job ? accountHints(queueName, job.data) : [],
      }),
    );
    if (!found.ok) return sendPage(res, 503, message(scope, 'Unavailable', UNAVAILABLE));
    if (!found.value)
      return sendPage(
        res,
        404,
        message(
          scope,
          'No sync run for this job',
          `No retained sync run refers to job ${jobId} of ${queueName} (the worker may not have picked it up yet, or the run is older than the worker's SYNC_RUN_RETENTION_MS, 14 days by default).`,
          inBullBoard,
        ),
      );
    res.redirect(302, runHref(scope, found.value.accountId, found.value.id));
  });

  router.use((req: Request<{ tenant?: string }>, res, next) => {
    const tenants = deps.tenants(res);
    const resolved = resolveScope(tenants, req.params.tenant);
    if (resolved.kind === 'tenant') {
      res.locals.scope = resolved.scope;
      return next();
    }
    if (resolved.kind === 'choose') return res.redirect(302, TENANTS_HREF);
    return sendPage(
      res,
      404,
      message(
        undefined,
        'Not found',
        'This connector serves no such tenant.',
        { href: TENANTS_HREF, text: 'all tenants' },
        tenants.restricted,
      ),
    );
  });

  router.get('/', async (req, res) => {
    const scope = scopeOf(res);
    const filter = parseFilter(req.query);
    const now = Date.now();
    const tenants = deps.tenants(res);
    const [runs, health, queues, activity, status] = await Promise.all([
      read('sync runs', () =>
        deps.runs.recentRuns({ tenant: scope.tenant, ...filter, limit: RUNS_SHOWN }),
      ),
      read('webhook health', () => deps.webhookHealth.read(scope.tenant)),
      scope.restricted ? undefined : read('queue counts', () => queueCounts(allQueues)),
      read('activity', async () =>
        mergeBuckets(
          // From a full hour, so each point is one clock hour.
          await deps.activity.series(
            scope.tenant,
            Math.floor((now - DAY_MS) / CHART_POINT_MS) * CHART_POINT_MS,
            now,
          ),
          Math.max(1, Math.round(CHART_POINT_MS / deps.activity.bucketMs)),
        ),
      ),
      read('tenant status', async () => {
        const all = await deps.status.read([scope.tenant], (t) => tenants.budget?.(t), now);
        return all.get(scope.tenant)!;
      }),
    ]);
    const failed = [runs, health, queues, activity, status].some((part) => part?.ok === false);
    const page = renderDashboard(
      {
        scope,
        filter,
        runs,
        health,
        queues,
        activity,
        status,
        fieldNames: fieldNamesOf(deps, res, scope.tenant),
        banner: failed ? UNAVAILABLE : undefined,
      },
      deps.redact,
    );
    sendPage(res, failed ? 503 : 200, page);
  });

  router.get('/backfills', async (_req, res) => {
    const scope = scopeOf(res);
    const runs = await read('backfill runs', () =>
      deps.backfills.list(scope.tenant, BACKFILLS_SHOWN),
    );
    sendPage(res, runs.ok ? 200 : 503, renderBackfills(scope, runs, BACKFILLS_SHOWN));
  });

  router.get('/runs/:accountId/:runId', async (req, res) => {
    const scope = scopeOf(res);
    const accountId = /^\d{1,15}$/.test(req.params.accountId) ? Number(req.params.accountId) : NaN;
    if (Number.isNaN(accountId))
      return sendPage(res, 404, message(scope, 'Not found', 'There is no such account id.'));
    const run = await read('sync run', () =>
      deps.runs.findRun(scope.tenant, accountId, req.params.runId),
    );
    if (!run.ok) return sendPage(res, 503, message(scope, 'Unavailable', UNAVAILABLE));
    if (!run.value)
      return sendPage(
        res,
        404,
        message(
          scope,
          'Sync run not found',
          `Account ${accountId} has no run ${req.params.runId} (runs are kept for the worker's SYNC_RUN_RETENTION_MS, 14 days by default).`,
        ),
      );
    sendPage(
      res,
      200,
      renderRunDetail(
        scope,
        run.value,
        deps.redact,
        fieldNamesOf(deps, res, scope.tenant),
        (name) => tenantQueueLabel(allQueues, scope.tenant, name),
      ),
    );
  });

  return router;
}
