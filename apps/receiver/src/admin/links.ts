/** Where the admin UI lives; every link and cookie path is built from these. */
export const ADMIN_BASE = '/admin';
export const BULL_BOARD_BASE = `${ADMIN_BASE}/queues`;
/** Every tenant this deployment serves, with its status. */
export const TENANTS_HREF = `${ADMIN_BASE}/tenants`;

/**
 * The tenant a page shows and where its pages live: the default tenant's under `/admin` (the
 * one-tenant URLs stay as they were), any other's under `/admin/t/{ContextIdentifier}`.
 */
export interface TenantScope {
  readonly tenant: string;
  readonly base: string;
  /** Seen by a tenant admin: no links to the deployment-wide Bull Board. */
  readonly restricted?: true;
}

export function tenantScope(tenant: string, isDefault: boolean, restricted = false): TenantScope {
  const base = isDefault ? ADMIN_BASE : `${ADMIN_BASE}/t/${encodeURIComponent(tenant)}`;
  return restricted ? { tenant, base, restricted } : { tenant, base };
}

/** A run's detail page. */
export function runHref(scope: TenantScope, accountId: number, runId: string): string {
  return `${scope.base}/runs/${accountId}/${encodeURIComponent(runId)}`;
}

/** Bull Board's page of one job (its UI route `/queue/:name/:jobId`). */
export function bullBoardJobHref(queue: string, jobId: string): string {
  return `${BULL_BOARD_BASE}/queue/${encodeURIComponent(queue)}/${encodeURIComponent(jobId)}`;
}

/** Redirects to the sync run that holds a job (see `find-run-by-job.ts`). */
export function syncRunOfJobHref(queue: string, jobId: string): string {
  return `${ADMIN_BASE}/jobs/${encodeURIComponent(queue)}/${encodeURIComponent(jobId)}`;
}
