import { Router, type Response } from 'express';
import type { AdminQueueList } from './admin-queues';
import type { Logger } from '@so-connector/logger';
import type { BackfillProgressStore } from '@so-connector/queue';
import type { ActivityCounters, SyncRunStore, WebhookHealthStore } from '@so-connector/sync-runs';
import type { AdminUserConfig } from '@so-connector/config';
import { adminDirectory } from './admin-users';
import { createSessionSigner, type AdminCredentials } from './auth';
import { createBullBoardHandler } from './bull-board';
import { dashboardRouter } from './dashboard.route';
import { tenantsRouter } from './tenants.route';
import { tenantsFor, type AdminTenants } from './tenant-scope';
import type { TenantStatusReader } from './tenant-status';
import { loginRouter } from './login.route';
import type { OnboardingDeps } from '../oauth/onboarding-deps';
import { onboardingRouter } from './onboarding.route';
import type { FieldNames } from './pages/field-names';
import { CONNECT_HREF } from './pages/onboarding.page';
import { ADMIN_BASE } from './links';
import { createAdminRedactor } from './redact';
import { operatorOnly, principalOf, requireAdmin, type AdminAuth } from './require-admin';
import { adminSecurityHeaders, BULL_BOARD_CSP, refuseCrossSiteWrites } from './security-headers';

export interface AdminDeps {
  /** The operator (ADMIN_USER/ADMIN_PASSWORD): every tenant, Bull Board, onboarding. */
  readonly credentials: AdminCredentials;
  /** Tenant admins (ADMIN_USERS): each sees only its tenants' pages. */
  readonly users?: readonly AdminUserConfig[];
  /** ADMIN_WRITE: Bull Board may retry, clean, promote and remove jobs. */
  readonly write: boolean;
  /** The tenants whose runs, health and activity can be shown (`/admin`, `/admin/t/{ctx}`). */
  readonly tenants: AdminTenants;
  /** so-events, so-enrich and so-maintenance. */
  /** Every queue, each partition apart (QUEUE_PARTITIONS): `createDeploymentQueues`. */
  readonly queues: AdminQueueList;
  readonly runs: SyncRunStore;
  /** Last event, re-consent mark and budget use per tenant. */
  readonly status: TenantStatusReader;
  readonly webhookHealth: WebhookHealthStore;
  readonly activity: ActivityCounters;
  readonly backfills: BackfillProgressStore;
  readonly logger: Logger;
  /** Resolves when the admin Redis connection is ready (page reads wait for it, bounded). */
  readonly redisReady: () => Promise<void>;
  /** UDF key → Vertical, Summary, … (from SO_UDF_*); a key not in it is shown as it is. */
  readonly fieldNames?: FieldNames;
  /** Values that never appear on a page (webhook secrets, the admin password). */
  readonly knownSecrets: readonly string[];
  /** A page's Redis reads give up after this long (default 2 s). */
  readonly readTimeoutMs?: number;
  /** "Connect a SuperOffice tenant" (`/admin/tenants/connect`); undefined = not offered. */
  readonly onboarding?: OnboardingDeps | undefined;
  /** How long a login lasts (default 8 h). */
  readonly sessionTtlMs?: number;
  /** Added to every answer to wrong credentials (default 300 ms). */
  readonly failedLoginDelayMs?: number;
}

/**
 * Everything under `/admin`: login, the sync-run pages and Bull Board, all behind the admin auth,
 * all with the admin security headers. Mounted only when ADMIN_USER/ADMIN_PASSWORD are set.
 * The operator sees every tenant; a tenant admin sees only its own tenants' pages (any other
 * tenant's page is 404, as if it did not exist) and never Bull Board or onboarding (403).
 */
export function adminRouter(deps: AdminDeps): Router {
  const users = adminDirectory(deps.credentials, deps.users ?? []);
  const auth: AdminAuth = {
    users,
    sessions: createSessionSigner(users.keyMaterial, deps.sessionTtlMs ?? 8 * 3600_000),
    failureDelayMs: deps.failedLoginDelayMs ?? 300,
    logger: deps.logger,
  };
  const redact = createAdminRedactor([...deps.knownSecrets, deps.credentials.password]);
  const router = Router();
  router.use(adminSecurityHeaders(), refuseCrossSiteWrites);
  router.use(loginRouter(auth));
  router.use(requireAdmin(auth));
  router.use(
    '/queues',
    operatorOnly,
    adminSecurityHeaders(BULL_BOARD_CSP),
    createBullBoardHandler({
      queues: deps.queues,
      readOnly: !deps.write,
      redact,
      tenant: deps.tenants.defaultTenant() ?? 'all tenants',
    }),
  );
  const reads = {
    logger: deps.logger,
    redisReady: deps.redisReady,
    readTimeoutMs: deps.readTimeoutMs ?? 2000,
  };
  const tenants = (res: Response) => tenantsFor(deps.tenants, principalOf(res));
  // Connecting a tenant and picking its fields: the operator's (checked before the routes).
  router.use([CONNECT_HREF.slice(ADMIN_BASE.length), '/tenants/:ctx/udf'], operatorOnly);
  if (deps.onboarding) router.use(onboardingRouter(deps.onboarding));
  router.use(
    tenantsRouter({
      tenants,
      status: deps.status,
      runs: deps.runs,
      webhookHealth: deps.webhookHealth,
      ...reads,
    }),
  );
  const dashboard = dashboardRouter({
    tenants,
    status: deps.status,
    queues: deps.queues,
    runs: deps.runs,
    webhookHealth: deps.webhookHealth,
    activity: deps.activity,
    backfills: deps.backfills,
    redact,
    fieldNames: deps.fieldNames ?? new Map(),
    ...reads,
  });
  // Every tenant's pages under /admin/t/{ctx}; the default tenant's also under /admin itself.
  router.use('/t/:tenant', dashboard);
  router.use(dashboard);
  return router;
}
