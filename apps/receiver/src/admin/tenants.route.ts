import { Router, type Response } from 'express';
import type { Logger } from '@so-connector/logger';
import type { SyncRunStore, WebhookHealthStore } from '@so-connector/sync-runs';
import { tenantScope } from './links';
import { renderTenants } from './pages/tenants.page';
import { pageReader } from './read-part';
import type { AdminTenants } from './tenant-scope';
import type { TenantStatusReader } from './tenant-status';

export interface TenantsRouteDeps {
  /** The tenants the request's user may see (`tenantsFor`). */
  readonly tenants: (res: Response) => AdminTenants;
  readonly status: TenantStatusReader;
  readonly runs: SyncRunStore;
  readonly webhookHealth: WebhookHealthStore;
  readonly logger: Logger;
  readonly redisReady: () => Promise<void>;
  readonly readTimeoutMs: number;
}

/** At most this many tenants on one page: each costs a few Redis reads. */
export const TENANTS_SHOWN = 200;

const UNAVAILABLE =
  'Redis is not reachable: some tenants could not be read. Webhooks are still accepted (into the disk spool); reload when Redis is back.';

/**
 * `/admin/tenants`: every tenant the user may see with its webhook health, latest sync run, last
 * event, re-consent mark and budget use.
 */
export function tenantsRouter(deps: TenantsRouteDeps): Router {
  const router = Router();
  const read = pageReader(deps);
  router.get('/tenants', async (_req, res) => {
    const tenants = deps.tenants(res);
    const all = [...tenants.list()].sort((a, b) => a.localeCompare(b));
    const shown = all.slice(0, TENANTS_SHOWN);
    const fallback = tenants.defaultTenant();
    const status = await read('tenant status', () =>
      deps.status.read(shown, (t) => tenants.budget?.(t)),
    );
    const rows = await Promise.all(
      shown.map(async (tenant) => {
        const [health, lastRun] = await Promise.all([
          read('webhook health', () => deps.webhookHealth.read(tenant)),
          read(
            'latest sync run',
            async () => (await deps.runs.recentRuns({ tenant, limit: 1 }))[0],
          ),
        ]);
        return {
          scope: tenantScope(tenant, tenant === fallback, tenants.restricted),
          health,
          lastRun,
          status: status.ok
            ? ({ ok: true, value: status.value.get(tenant)! } as const)
            : ({ ok: false } as const),
        };
      }),
    );
    const failed = !status.ok || rows.some((row) => !row.health.ok || !row.lastRun.ok);
    res
      .status(failed ? 503 : 200)
      .type('html')
      .send(
        renderTenants({
          rows,
          total: all.length,
          banner: failed ? UNAVAILABLE : undefined,
          restricted: tenants.restricted === true,
        }),
      );
  });
  return router;
}
