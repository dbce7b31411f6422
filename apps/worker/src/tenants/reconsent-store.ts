import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import {
  reconsentDeferredKey,
  reconsentKey,
  type ReconsentMark,
  type TenantConfig,
} from '@so-connector/tenants';

export type { ReconsentMark };

/** A print of the tenant's credential that identifies it without revealing it. */
export function credentialPrint(tenant: TenantConfig): string {
  const c = tenant.credentials;
  const value =
    c === undefined ? '' : c.kind === 'refresh-token' ? c.refreshToken : c.systemUserToken;
  return createHash('sha256')
    .update(`${c?.kind ?? 'none'}:${value}`)
    .digest('hex')
    .slice(0, 16);
}

/**
 * Tenants that need re-consent, in Redis so every worker process and the dashboard see the same
 * set: one hash `{prefix}:tenants:reconsent` (field = ContextIdentifier, value = ReconsentMark
 * JSON), and per tenant the set of jobs deferred while it is marked
 * (`{prefix}:tenants:reconsent:{ctx}:deferred`, members `queue/jobId`), so clearing the mark can
 * wake them at once.
 */
export class ReconsentStore {
  private readonly key: string;
  /** Every mark as read at `at` (one HGETALL shared by the jobs of a second). */
  private snapshot:
    | { readonly at: number; readonly marks: Promise<ReadonlyMap<string, ReconsentMark>> }
    | undefined;

  /**
   * @param cacheMs how long `current` answers from one read of every mark: a mark set by another
   *   process is seen within this long (this process's own marks and clears at once).
   */
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly cacheMs = 1000,
  ) {
    this.key = reconsentKey(prefix);
  }

  /**
   * The tenant's mark as of at most `cacheMs` ago: what every job asks before it runs, so it costs
   * one Redis read a second per process, not one per job (the skip path's budget, issue 13 §4).
   */
  async current(contextIdentifier: string): Promise<ReconsentMark | undefined> {
    const now = Date.now();
    if (!this.snapshot || now - this.snapshot.at >= this.cacheMs) {
      const marks = this.redis
        .hgetall(this.key)
        .then(
          (all) =>
            new Map(
              Object.entries(all).map(([ctx, raw]) => [ctx, JSON.parse(raw) as ReconsentMark]),
            ),
        );
      const snapshot = { at: now, marks };
      this.snapshot = snapshot;
      // A failed read is not kept: the next job reads again.
      marks.catch(() => {
        if (this.snapshot === snapshot) this.snapshot = undefined;
      });
    }
    return (await this.snapshot.marks).get(contextIdentifier);
  }

  /** Marks the tenant; resolves true when it was not marked before (the first refusal). */
  async mark(tenant: TenantConfig, reason: string): Promise<boolean> {
    const mark: ReconsentMark = {
      contextIdentifier: tenant.contextIdentifier,
      since: new Date().toISOString(),
      reason,
      credential: credentialPrint(tenant),
    };
    const previous = await this.get(tenant.contextIdentifier);
    // Marked now either way: `current` must not answer from a read older than this.
    this.snapshot = undefined;
    if (previous?.credential === mark.credential) return false;
    await this.redis.hset(this.key, tenant.contextIdentifier, JSON.stringify(mark));
    this.snapshot = undefined;
    return true;
  }

  async get(contextIdentifier: string): Promise<ReconsentMark | undefined> {
    const raw = await this.redis.hget(this.key, contextIdentifier);
    return raw ? (JSON.parse(raw) as ReconsentMark) : undefined;
  }

  /** Every marked tenant, sorted (for the dashboard and `tenants list`). */
  async list(): Promise<ReconsentMark[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as ReconsentMark)
      .sort((a, b) => a.contextIdentifier.localeCompare(b.contextIdentifier));
  }

  /** Removes the mark; resolves with the jobs deferred meanwhile (`queue/jobId`), now forgotten. */
  async clear(contextIdentifier: string): Promise<string[]> {
    // Separate commands, not MULTI: the keys need not share a cluster hash slot.
    await this.redis.hdel(this.key, contextIdentifier);
    this.snapshot = undefined;
    const deferredKey = this.deferredKey(contextIdentifier);
    const jobs = await this.redis.smembers(deferredKey);
    await this.redis.del(deferredKey);
    return jobs;
  }

  /** Remembers a job deferred while the tenant is marked. */
  async deferred(contextIdentifier: string, queue: string, jobId: string): Promise<void> {
    await this.redis.sadd(this.deferredKey(contextIdentifier), `${queue}/${jobId}`);
  }

  private deferredKey(contextIdentifier: string): string {
    return reconsentDeferredKey(this.prefix, contextIdentifier);
  }
}
