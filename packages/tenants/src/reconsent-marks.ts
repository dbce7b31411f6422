import type { Cluster, Redis } from 'ioredis';

/** Why a tenant's jobs wait: SuperOffice refused its credential (`invalid_grant`). */
export interface ReconsentMark {
  readonly contextIdentifier: string;
  /** When the refusal was first seen (ISO 8601). */
  readonly since: string;
  /** The OAuth error, e.g. `invalid_grant`, without any secret. */
  readonly reason: string;
  /**
   * A short SHA-256 print of the refused credential (never the credential): a tenant whose
   * credential changed in the registry since is no longer marked.
   */
  readonly credential: string;
}

/**
 * Where the worker keeps the tenants that need re-consent (apps/worker ReconsentStore writes it):
 * one hash, field = ContextIdentifier, value = ReconsentMark JSON.
 */
export function reconsentKey(prefix: string): string {
  return `${prefix}:tenants:reconsent`;
}

/** The jobs deferred while the tenant is marked (a set of `queue/jobId`). */
export function reconsentDeferredKey(prefix: string, contextIdentifier: string): string {
  return `${reconsentKey(prefix)}:${contextIdentifier}:deferred`;
}

/**
 * These fields of a per-tenant hash (one HMGET), parsed; a field that is absent or that `parse`
 * refuses (undefined) is not in the map.
 */
export async function readTenantFields<T>(
  redis: Redis | Cluster,
  key: string,
  contextIdentifiers: readonly string[],
  parse: (raw: string) => T | undefined,
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  if (contextIdentifiers.length === 0) return found;
  const values = await redis.hmget(key, ...contextIdentifiers);
  values.forEach((raw, i) => {
    const value = raw === null ? undefined : parse(raw);
    if (value !== undefined) found.set(contextIdentifiers[i]!, value);
  });
  return found;
}

/** The marks of these tenants; a tenant without a mark is not in the map. */
export function readReconsentMarks(
  redis: Redis | Cluster,
  prefix: string,
  contextIdentifiers: readonly string[],
): Promise<Map<string, ReconsentMark>> {
  return readTenantFields(redis, reconsentKey(prefix), contextIdentifiers, (raw) =>
    raw ? (JSON.parse(raw) as ReconsentMark) : undefined,
  );
}
