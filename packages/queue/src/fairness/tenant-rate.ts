/**
 * Events per tenant over a sliding window, counted in this process's memory: what a producer needs
 * to tell a tenant's flood from normal traffic without a Redis round trip per event. Each process
 * sees its share of a flood (several receivers split it), which is enough: a flood is orders of
 * magnitude above a quiet tenant's rate. Memory is bounded: at most `maxTenants` tenants are
 * tracked, the least recently seen dropped first.
 */
export interface TenantRateOptions {
  /** The window counted (default 60 s). */
  readonly windowMs?: number;
  /** The window is kept in this many buckets (default 6: it slides in steps of windowMs / 6). */
  readonly buckets?: number;
  /** At most this many tenants tracked (default 10,000). */
  readonly maxTenants?: number;
}

interface Counter {
  /** Count per bucket, indexed by bucket number modulo the bucket count. */
  readonly counts: number[];
  /** The bucket number (time / bucketMs) each slot of `counts` belongs to. */
  readonly slots: number[];
}

export class TenantRateTracker {
  private readonly bucketMs: number;
  private readonly buckets: number;
  private readonly maxTenants: number;
  /** Insertion order = recency order: a tenant seen again is moved to the end. */
  private readonly counters = new Map<string, Counter>();

  constructor(options: TenantRateOptions = {}) {
    this.buckets = options.buckets ?? 6;
    this.bucketMs = Math.max(1, Math.round((options.windowMs ?? 60_000) / this.buckets));
    this.maxTenants = options.maxTenants ?? 10_000;
  }

  /** Counts `n` events of the tenant now; returns the tenant's events in the window, these included. */
  record(tenant: string, n = 1, now = Date.now()): number {
    const bucket = Math.floor(now / this.bucketMs);
    let counter = this.counters.get(tenant);
    if (counter) {
      this.counters.delete(tenant);
    } else {
      counter = {
        counts: new Array<number>(this.buckets).fill(0),
        slots: new Array<number>(this.buckets).fill(-1),
      };
      if (this.counters.size >= this.maxTenants) {
        const oldest = this.counters.keys().next().value;
        if (oldest !== undefined) this.counters.delete(oldest);
      }
    }
    this.counters.set(tenant, counter);
    const i = bucket % this.buckets;
    if (counter.slots[i] !== bucket) {
      counter.slots[i] = bucket;
      counter.counts[i] = 0;
    }
    counter.counts[i]! += n;
    return this.sum(counter, bucket);
  }

  /** The tenant's events in the window ending now (0 for a tenant not seen). */
  count(tenant: string, now = Date.now()): number {
    const counter = this.counters.get(tenant);
    return counter ? this.sum(counter, Math.floor(now / this.bucketMs)) : 0;
  }

  /** Tenants currently tracked (bounded by maxTenants). */
  get size(): number {
    return this.counters.size;
  }

  private sum(counter: Counter, bucket: number): number {
    let total = 0;
    for (let i = 0; i < this.buckets; i++) {
      if (bucket - counter.slots[i]! < this.buckets) total += counter.counts[i]!;
    }
    return total;
  }
}
