/** Where the admin UI lives; every link and cookie path is built from these. */
export const ADMIN_BASE = '/admin';
export const BULL_BOARD_BASE = `${ADMIN_BASE}/queues`;

/** A run's detail page. */
export function runHref(accountId: number, runId: string): string {
  return `${ADMIN_BASE}/runs/${accountId}/${encodeURIComponent(runId)}`;
}

/** Bull Board's page of one job (its UI route `/queue/:name/:jobId`). */
export function bullBoardJobHref(queue: string, jobId: string): string {
  return `${BULL_BOARD_BASE}/queue/${encodeURIComponent(queue)}/${encodeURIComponent(jobId)}`;
}

/** Redirects to the sync run that holds a job (see `find-run-by-job.ts`). */
export function syncRunOfJobHref(queue: string, jobId: string): string {
  return `${ADMIN_BASE}/jobs/${encodeURIComponent(queue)}/${encodeURIComponent(jobId)}`;
}
