import { Router } from 'express';
import type { Logger } from '@so-connector/logger';
import type { SyncRunStore, WebhookHealthStore } from '@so-connector/sync-runs';
import { tenantScope } from './links';
import { renderTenants } from './pages/tenants.page';
import { pageReader } from './read-part';
import type { AdminTenants } from './tenant-scope';

export interface TenantsRouteDeps {
  readonly tenants: AdminTenants;
  readonly runs: SyncRunStore;
  readonly webhookHealth: WebhookHealthStore;
  readonly logger: Logger;
  readonly redisReady: () => Promise<void>;
  readonly readTimeoutMs: number;
}

/** At most this many tenants on one page: each costs two Redis reads. */
export const TENANTS_SHOWN = 200;

const UNAVAILABLE =
  'Redis is not reachable: some tenants could not be read. Webhooks are still accepted (into the disk spool); reload when Redis is back.';

/** `/admin/tenants`: every tenant with its webhook health and latest sync run. */
export function tenantsRouter(deps: TenantsRouteDeps): Router {
  const router = Router();
  const read = pageReader(deps);
  router.get('/tenants', async (_req, res) => {
    const all = [...deps.tenants.list()].sort((a, b) => a.localeCompare(b));
    const fallback = deps.tenants.defaultTenant();
    const rows = await Promise.all(
      all.slice(0, TENANTS_SHOWN).map(async (tenant) => {
        const [health, lastRun] = await Promise.all([
          read('webhook health', () => deps.webhookHealth.read(tenant)),
          read(
            'latest sync run',
            async () => (await deps.runs.recentRuns({ tenant, limit: 1 }))[0],
          ),
        ]);
        return { scope: tenantScope(tenant, tenant === fallback), health, lastRun };
      }),
    );
    const failed = rows.some((row) => !row.health.ok || !row.lastRun.ok);
    res
      .status(failed ? 503 : 200)
      .type('html')
      .send(renderTenants({ rows, total: all.length, banner: failed ? UNAVAILABLE : undefined }));
  });
  return router;
}
