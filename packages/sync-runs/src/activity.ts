import type { Cluster, Redis } from 'ioredis';
import { GroupCommit } from './group-commit';
import { storePrefixOf, type StorePrefix } from './key-prefix';
import { execRunWrites, SYNC_RUN_DEFAULTS, type CounterWrite } from './run-writes';
import type { RunWriter } from './store';

/** What the activity chart counts. */
export const ACTIVITY_KINDS = [
  /** An event the events processor handled (relevant or not). */
  'events',
  /** An event dropped by the filters (noise, echo, scope). */
  'skips',
  /** An enrichment that finished (written, unchanged or skipped after reading the record). */
  'enrichments',
  /** An enrichment that wrote at least one field. */
  'writes',
  /** A job that failed for good (attempts exhausted or unrecoverable). */
  'failures',
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export interface ActivityBucket {
  /** Start of the bucket (ISO). */
  readonly at: string;
  readonly counts: Readonly<Record<ActivityKind, number>>;
}

export interface ActivityCountersOptions {
  readonly redis: Redis | Cluster;
  readonly prefix: StorePrefix;
  /** Width of one bucket (default 5 min). */
  readonly bucketMs?: number;
  /** Buckets older than this expire (default 7 days). */
  readonly retentionMs?: number;
  /**
   * A sync-run store's batcher (SyncRunStore.batcher) to share: increments then start no round
   * trip of their own, they go with the next facts' (or after `lateMs` at the latest). Default:
   * batches of their own.
   */
  readonly writer?: Pick<RunWriter, 'writeLater'>;
  /** With `writer`: how long an increment may wait for facts to go with (default 100 ms). */
  readonly lateMs?: number;
}

const zero = (): Record<ActivityKind, number> =>
  Object.fromEntries(ACTIVITY_KINDS.map((kind) => [kind, 0])) as Record<ActivityKind, number>;

/**
 * Counts per tenant and time bucket (one Redis hash per bucket), written by every worker process
 * and read by the dashboard's chart. Unlike the Prometheus counters these survive restarts and add
 * up across processes.
 */
export class ActivityCounters {
  readonly bucketMs: number;
  private readonly retentionMs: number;
  /** Increments of concurrent jobs share one round trip (summed per bucket). */
  private readonly write: (write: CounterWrite) => Promise<void>;

  constructor(private readonly options: ActivityCountersOptions) {
    this.bucketMs = options.bucketMs ?? 5 * 60_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    const writer = options.writer;
    if (writer) {
      const lateMs = options.lateMs ?? 100;
      this.write = (write) => writer.writeLater({ also: [write] }, lateMs);
    } else {
      const group = new GroupCommit<CounterWrite>((writes) =>
        execRunWrites(options.redis, { facts: [], sides: writes }, SYNC_RUN_DEFAULTS),
      );
      this.write = (write) => group.add(write);
    }
  }

  private key(tenant: string, bucketStart: number): string {
    return `${storePrefixOf(this.options.prefix, tenant)}:activity:${tenant}:${bucketStart}`;
  }

  private bucketOf(ms: number): number {
    return Math.floor(ms / this.bucketMs) * this.bucketMs;
  }

  /** The write that counts `kinds` once in the bucket of `at`, for a batch (SyncRunStore.recordMany). */
  countWrite(tenant: string, kinds: readonly ActivityKind[], at = Date.now()): CounterWrite {
    const fields: Partial<Record<ActivityKind, number>> = {};
    for (const kind of kinds) fields[kind] = (fields[kind] ?? 0) + 1;
    return {
      op: 'count',
      key: this.key(tenant, this.bucketOf(at)),
      fields,
      ttlMs: this.retentionMs,
    };
  }

  /**
   * Counts `kinds` once; resolves when written. Increments of concurrent callers go in one round
   * trip (group commit), so a burst of completions costs about one write, not one each.
   */
  async increment(tenant: string, kinds: readonly ActivityKind[], at = Date.now()): Promise<void> {
    if (kinds.length === 0) return;
    await this.write(this.countWrite(tenant, kinds, at));
  }

  /** Every bucket from `sinceMs` to `untilMs`, oldest first, empty buckets included. */
  async series(tenant: string, sinceMs: number, untilMs = Date.now()): Promise<ActivityBucket[]> {
    const starts: number[] = [];
    for (let t = this.bucketOf(sinceMs); t <= untilMs; t += this.bucketMs) starts.push(t);
    if (starts.length === 0) return [];
    const pipeline = this.options.redis.pipeline();
    for (const start of starts) pipeline.hgetall(this.key(tenant, start));
    const replies = (await pipeline.exec()) ?? [];
    return starts.map((start, i) => {
      const counts = zero();
      const hash = (replies[i]?.[1] ?? {}) as Record<string, string>;
      for (const kind of ACTIVITY_KINDS) counts[kind] = Number(hash[kind] ?? 0);
      return { at: new Date(start).toISOString(), counts };
    });
  }
}
