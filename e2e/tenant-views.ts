import type { Job } from 'bullmq';
import type { TenantsDeployment } from './tenants-deployment';

// What the tests of a many-tenant deployment read back: /metrics series and jobs per tenant.

/**
 * The sum of a Prometheus counter's series whose labels include all of `labels`, from /metrics
 * text (`name{a="x",b="y"} 3`).
 */
export function metricSum(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map<string, string>();
    for (const m of match[2]!.matchAll(/(\w+)="([^"]*)"/g)) have.set(m[1]!, m[2]!);
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(match[3]);
  }
  return sum;
}

/** The `tenant` label values a metric has series for. */
export function metricTenants(text: string, name: string): string[] {
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const tenant = /tenant="([^"]*)"/.exec(line)?.[1];
    if (tenant !== undefined) found.add(tenant);
  }
  return [...found].sort();
}

export interface TenantJob {
  readonly job: Job<{ readonly tenant: string }>;
  readonly state: string;
  /** What the job returned (`{ outcome, reason, detail }` when skipped). */
  readonly reason: string | undefined;
}

/** Every so-events and so-enrich job of the given tenants, in any state, with that state. */
export async function jobsOfTenants(
  d: TenantsDeployment,
  tenants: readonly string[],
): Promise<TenantJob[]> {
  const states = ['completed', 'failed', 'delayed', 'waiting', 'active', 'prioritized'] as const;
  const all = [
    ...(await d.system.events.getJobs([...states])),
    ...(await d.system.enrich.getJobs([...states])),
  ] as Job<{ readonly tenant: string }>[];
  return Promise.all(
    all
      .filter((job) => tenants.includes(job.data.tenant))
      .map(async (job) => ({
        job,
        state: await job.getState(),
        reason: (job.returnvalue as { reason?: string } | null)?.reason,
      })),
  );
}
