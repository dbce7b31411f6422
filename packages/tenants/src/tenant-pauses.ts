import type { Cluster, Redis } from 'ioredis';

/** Whose `Retry-After` paused a tenant: its SuperOffice tenant or its enrichment provider. */
export type PauseSource = 'superoffice' | 'provider';

const SOURCES: readonly PauseSource[] = ['superoffice', 'provider'];

/**
 * Where the worker keeps when a tenant's Retry-After pause ends (apps/worker TenantPauses writes
 * it; the dashboard reads it): the end in ms, expiring with the pause. Both sources' keys of a
 * tenant share a Cluster slot — the prefix's hash tag when it has one, else the tenant's — so one
 * MGET reads them.
 */
export function tenantPauseKey(
  prefix: string,
  contextIdentifier: string,
  source: PauseSource,
): string {
  return `${prefix}:pause:{${contextIdentifier}}:${source}`;
}

/** A pause in force: who asked for it and when it ends. */
export interface TenantPause {
  readonly source: PauseSource;
  /** When the tenant's jobs may call again (ms since the epoch). */
  readonly untilMs: number;
}

/** The pause in force for the tenant (the later one when both sources paused it), if any. */
export async function readTenantPause(
  redis: Pick<Redis | Cluster, 'mget'>,
  prefix: string,
  contextIdentifier: string,
  nowMs = Date.now(),
): Promise<TenantPause | undefined> {
  const ends = await redis.mget(
    ...SOURCES.map((s) => tenantPauseKey(prefix, contextIdentifier, s)),
  );
  return SOURCES.map((source, i) => ({ source, untilMs: Number(ends[i] ?? 0) }))
    .filter((p) => p.untilMs > nowMs)
    .sort((a, b) => b.untilMs - a.untilMs)[0];
}
