import type { Redis } from 'ioredis';
import { runFactSchema, type EntryStatus, type RunFact } from './entry';
import { clusterRuns, RUN_GAP_MS, type SyncRun } from './fold-run';

export interface SyncRunStoreOptions {
  readonly redis: Redis;
  /** The queue prefix (may be a hash tag such as `{so}`, keeping every key in one slot). */
  readonly prefix: string;
  /** Facts older than this are dropped (default 14 days). */
  readonly retentionMs?: number;
  /** At most this many facts are kept per account (default 2000). */
  readonly maxFactsPerAccount?: number;
}

export interface RunQuery {
  readonly tenant: string;
  readonly status?: EntryStatus | undefined;
  /** Case-insensitive part of the account name, or the account id. */
  readonly account?: string | undefined;
  /** Only runs active after this time (ISO). */
  readonly since?: string | undefined;
  readonly limit?: number | undefined;
}

/**
 * The per-account activity log in Redis. Each account has a sorted set of facts (scored by time);
 * each tenant a sorted set of accounts by last activity. Facts are only appended, so several
 * worker processes can write at once; runs are folded when read.
 */
export class SyncRunStore {
  private readonly retentionMs: number;
  private readonly maxFacts: number;

  constructor(private readonly options: SyncRunStoreOptions) {
    this.retentionMs = options.retentionMs ?? 14 * 24 * 3600_000;
    this.maxFacts = options.maxFactsPerAccount ?? 2000;
  }

  private accountKey(tenant: string, accountId: number): string {
    return `${this.options.prefix}:runs:${tenant}:account:${accountId}`;
  }

  private accountsKey(tenant: string): string {
    return `${this.options.prefix}:runs:${tenant}:accounts`;
  }

  /** Appends one fact and applies retention to its account. */
  async record(fact: RunFact): Promise<void> {
    const parsed = runFactSchema.parse(fact);
    const ms = Date.parse(parsed.at);
    const key = this.accountKey(parsed.tenant, parsed.accountId);
    await this.options.redis
      .multi()
      .zadd(key, ms, JSON.stringify(parsed))
      .zremrangebyscore(key, '-inf', ms - this.retentionMs)
      .zremrangebyrank(key, 0, -(this.maxFacts + 1))
      .pexpire(key, this.retentionMs)
      // GT: a fact recorded late (another worker, a retry) never moves the account back in time.
      .zadd(this.accountsKey(parsed.tenant), 'GT', ms, String(parsed.accountId))
      .zremrangebyscore(this.accountsKey(parsed.tenant), '-inf', ms - this.retentionMs)
      .exec();
  }

  async factsForAccount(tenant: string, accountId: number): Promise<RunFact[]> {
    const raw = await this.options.redis.zrange(this.accountKey(tenant, accountId), 0, -1);
    return raw.flatMap((text) => {
      const parsed = runFactSchema.safeParse(JSON.parse(text));
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** The account's runs, newest first. */
  async runsForAccount(tenant: string, accountId: number): Promise<SyncRun[]> {
    return clusterRuns(await this.factsForAccount(tenant, accountId), RUN_GAP_MS).reverse();
  }

  /** One run by its id (the id of its first entry). */
  async findRun(tenant: string, accountId: number, runId: string): Promise<SyncRun | undefined> {
    return (await this.runsForAccount(tenant, accountId)).find((run) => run.id === runId);
  }

  /** Runs across accounts, newest activity first, filtered by status, account and time. */
  async recentRuns(query: RunQuery): Promise<SyncRun[]> {
    const limit = query.limit ?? 50;
    const sinceMs = query.since ? Date.parse(query.since) : Number.NaN;
    const min = Number.isNaN(sinceMs) ? '-inf' : sinceMs;
    const accountIds = await this.options.redis.zrevrangebyscore(
      this.accountsKey(query.tenant),
      '+inf',
      min,
      'LIMIT',
      0,
      Math.max(limit * 4, 200),
    );
    const runs: SyncRun[] = [];
    for (const id of accountIds) {
      for (const run of await this.runsForAccount(query.tenant, Number(id))) {
        if (query.since && run.lastAt < query.since) continue;
        if (query.status && run.status !== query.status) continue;
        if (query.account) {
          const needle = query.account.toLowerCase();
          if (
            String(run.accountId) !== needle &&
            !(run.accountName ?? '').toLowerCase().includes(needle)
          )
            continue;
        }
        runs.push(run);
      }
    }
    return runs.sort((a, b) => b.lastAt.localeCompare(a.lastAt)).slice(0, limit);
  }
}
