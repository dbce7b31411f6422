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
  /** Every mark as last read, and when. */
  private last:
    { readonly at: number; readonly marks: ReadonlyMap<string, ReconsentMark> } | undefined;
  /** The read in flight, shared by every job asking meanwhile. */
  private reading: Promise<ReadonlyMap<string, ReconsentMark>> | undefined;
  /** Bumped by this process's own marks and clears: a read started before one is not kept. */
  private generation = 0;

  /**
   * @param cacheMs how long `current` answers from one read of every mark: a mark set by another
   *   process is seen within this long and one read (this process's own marks and clears at once).
   */
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly cacheMs = 1000,
  ) {
    this.key = reconsentKey(prefix);
  }

  /**
   * The tenant's mark as of at most `cacheMs` and one read ago: what every job asks before it
   * runs, so it costs one Redis read a second per process, not one per job (the skip path's
   * budget, issue 13 §4). Once read, an expired answer is given while the next read runs (stale
   * while revalidating): the hash is under QUEUE_PREFIX, in partition 0's slot, and while that
   * master fails over a read would hold up every tenant's jobs, those of partitions on other
   * masters too (docs/operations.md, "With QUEUE_PARTITIONS"). Only the first read, and the first
   * after this process's own mark or clear, is waited for.
   */
  async current(contextIdentifier: string): Promise<ReconsentMark | undefined> {
    const last = this.last;
    if (last && Date.now() - last.at < this.cacheMs) return last.marks.get(contextIdentifier);
    const reading = this.read();
    if (last) {
      // A failed read keeps the last answer; the next job after it reads again.
      reading.catch(() => undefined);
      return last.marks.get(contextIdentifier);
    }
    return (await reading).get(contextIdentifier);
  }

  private read(): Promise<ReadonlyMap<string, ReconsentMark>> {
    if (this.reading) return this.reading;
    const generation = this.generation;
    const at = Date.now();
    const reading = this.redis.hgetall(this.key).then((all) => {
      const marks = new Map(
        Object.entries(all).map(([ctx, raw]) => [ctx, JSON.parse(raw) as ReconsentMark]),
      );
      if (generation === this.generation) this.last = { at, marks };
      return marks;
    });
    this.reading = reading;
    const done = () => {
      if (this.reading === reading) this.reading = undefined;
    };
    reading.then(done, done);
    return reading;
  }

  /** This process marked or cleared a tenant: the next `current` reads again and waits for it. */
  private invalidate(): void {
    this.generation++;
    this.last = undefined;
    this.reading = undefined;
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
    this.invalidate();
    if (previous?.credential === mark.credential) return false;
    await this.redis.hset(this.key, tenant.contextIdentifier, JSON.stringify(mark));
    this.invalidate();
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
    this.invalidate();
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
