import type { Cluster, Redis } from 'ioredis';
import { runFactSchema, type EntryStatus, type RunFact } from './entry';
import { decodeFact, encodeFact } from './fact-codec';
import { clusterRuns, RUN_GAP_MS, type SyncRun } from './fold-run';
import { GroupCommit } from './group-commit';
import { storePrefixOf, type StorePrefix } from './key-prefix';
import {
  execRunWrites,
  hashTag,
  SYNC_RUN_DEFAULTS,
  type FactWrite,
  type RunLimits,
  type SideWrite,
} from './run-writes';

/** A fact and what goes with it in the same round trip (counters, seen markers), or only those. */
export interface RunWrite {
  readonly fact?: RunFact;
  readonly also?: readonly SideWrite[];
}

/** A write checked and turned into keys, ready for a batch. */
export interface PreparedRunWrite {
  readonly fact: FactWrite | undefined;
  readonly sides: readonly SideWrite[];
}

export interface SyncRunStoreOptions {
  readonly redis: Redis | Cluster;
  /**
   * The queue prefix (may be a hash tag such as `{so}`, keeping every key in one slot), or each
   * tenant's (its partition's).
   */
  readonly prefix: StorePrefix;
  /** Facts older than this are dropped (default 14 days). */
  readonly retentionMs?: number;
  /** At most this many facts are kept per account (default 2000); the oldest go first. */
  readonly maxFactsPerAccount?: number;
  /**
   * At most this many accounts are kept per tenant (default 100,000): past it, the accounts least
   * recently active are dropped with their facts. With the per-account cap, a tenant's log is bounded.
   */
  readonly maxAccountsPerTenant?: number;
  /** Writes a batcher puts in one round trip at most (default 256). */
  readonly maxBatch?: number;
}

/** Where a processor's sync-run writes go: one store's batcher. */
export interface RunWriter {
  /** Resolves once the write is in Redis (shared round trip with concurrent writes). */
  write(write: RunWrite): Promise<void>;
  /**
   * Starts no round trip: goes with the next `write`'s, or at the latest after `withinMs`. For
   * best-effort writes such as the activity counters of completed jobs.
   */
  writeLater(write: RunWrite, withinMs: number): Promise<void>;
  /** Resolves when nothing is waiting to be written. */
  idle(): Promise<void>;
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
  readonly limits: RunLimits;

  constructor(private readonly options: SyncRunStoreOptions) {
    this.limits = {
      retentionMs: options.retentionMs ?? SYNC_RUN_DEFAULTS.retentionMs,
      maxFactsPerAccount: options.maxFactsPerAccount ?? SYNC_RUN_DEFAULTS.maxFactsPerAccount,
      maxAccountsPerTenant: options.maxAccountsPerTenant ?? SYNC_RUN_DEFAULTS.maxAccountsPerTenant,
    };
  }

  private accountStem(tenant: string): string {
    return `${storePrefixOf(this.options.prefix, tenant)}:runs:${tenant}:account:`;
  }

  private accountKey(tenant: string, accountId: number): string {
    return `${this.accountStem(tenant)}${accountId}`;
  }

  private accountsKey(tenant: string): string {
    return `${storePrefixOf(this.options.prefix, tenant)}:runs:${tenant}:accounts`;
  }

  /**
   * Checks a write (a malformed fact throws here, before anything is written) and turns it into
   * keys. The fact's time is its `at`.
   */
  prepare(write: RunWrite): PreparedRunWrite {
    const sides = write.also ?? [];
    if (!write.fact) return { fact: undefined, sides };
    const parsed = runFactSchema.parse(write.fact);
    const ms = Date.parse(parsed.at);
    // Refused here, alone: in a batch, a score that is not a number would fail every write.
    if (Number.isNaN(ms)) throw new Error(`sync-run fact ${parsed.id}: at is not a time`);
    return {
      fact: {
        accountKey: this.accountKey(parsed.tenant, parsed.accountId),
        indexKey: this.accountsKey(parsed.tenant),
        accountStem: this.accountStem(parsed.tenant),
        accountId: parsed.accountId,
        ms,
        member: encodeFact(parsed, ms),
      },
      sides,
    };
  }

  /**
   * Writes prepared writes in one round trip (one per hash slot) and applies retention once per
   * account and tenant touched: by age, facts per account, accounts per tenant.
   */
  async commit(writes: readonly PreparedRunWrite[]): Promise<void> {
    await execRunWrites(
      this.options.redis,
      {
        facts: writes.flatMap((w) => (w.fact ? [w.fact] : [])),
        sides: writes.flatMap((w) => w.sides),
      },
      this.limits,
    );
  }

  /** Appends facts (with their side writes) in one round trip; nothing is written if one is malformed. */
  async recordMany(writes: readonly RunWrite[]): Promise<void> {
    await this.commit(writes.map((w) => this.prepare(w)));
  }

  /** Appends one fact and applies retention to its account and tenant. */
  async record(fact: RunFact): Promise<void> {
    await this.recordMany([{ fact }]);
  }

  /**
   * A write-behind batcher (group commit) over this store: concurrent `write`s share a round
   * trip, and each resolves only once its own batch is in Redis, so a job that awaits it never
   * completes before its fact is stored. A malformed fact is refused alone, at `write`.
   */
  batcher(): RunWriter {
    // One group commit per hash tag (a tenant's keys share its partition's: tenant-keys.ts), so a
    // write waits only for round trips to its own slot's master: while one master fails over, the
    // tenants of the others go on instead of queueing behind a batch that cannot be written.
    const groups = new Map<string, GroupCommit<PreparedRunWrite>>();
    const groupOf = (prepared: PreparedRunWrite) => {
      const tag = hashTag(prepared.fact?.accountKey ?? prepared.sides[0]?.key ?? '');
      let group = groups.get(tag);
      if (!group) {
        group = new GroupCommit<PreparedRunWrite>(
          (batch) => this.commit(batch),
          this.options.maxBatch ?? 256,
        );
        groups.set(tag, group);
      }
      return group;
    };
    return {
      write: async (write) => {
        const prepared = this.prepare(write);
        await groupOf(prepared).add(prepared);
      },
      writeLater: async (write, withinMs) => {
        const prepared = this.prepare(write);
        await groupOf(prepared).addLater(prepared, withinMs);
      },
      idle: async () => {
        await Promise.all([...groups.values()].map((group) => group.idle()));
      },
    };
  }

  /** The account's facts, oldest first: compact members (fact-codec.ts) and JSON ones alike. */
  async factsForAccount(tenant: string, accountId: number): Promise<RunFact[]> {
    const raw = await this.options.redis.zrange(
      this.accountKey(tenant, accountId),
      0,
      -1,
      'WITHSCORES',
    );
    const facts: RunFact[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const fact = decodeFact(raw[i]!, Number(raw[i + 1]), tenant, accountId);
      if (fact) facts.push(fact);
    }
    return facts;
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
