import type { Cluster, Redis } from 'ioredis';
import { globEscape, scanKeys } from './scan-keys';
import { prefixOfTenant, type TenantKeyPrefixOption } from './tenant-keys';
import type { BackfillResult, BackfillSpec } from './payloads';

/** A run's selection as shown (dashboard): the filters, an ids file as its size only. */
export interface BackfillSelection {
  readonly entities: BackfillSpec['entities'];
  readonly owners?: readonly number[];
  readonly categories?: readonly number[];
  readonly businesses?: readonly number[];
  readonly targetEmpty: boolean;
  readonly updatedSince?: string;
  /** How many ids the `--ids-file` listed. */
  readonly ids?: number;
  readonly ratePerMinute: number;
  readonly maxProviderCalls?: number;
}

/** What the run's enrichments ended with (counted by the enrich processor per `backfill:<runId>` cause). */
export interface BackfillOutcomes {
  /** Written (a PATCH). */
  readonly enriched: number;
  /** Read, nothing to write. */
  readonly unchanged: number;
  /** Skipped by a rule (echo, filter, gone). */
  readonly skipped: number;
  /** Of those, the ones that asked the provider (the others reused a stored answer). */
  readonly providerCalls: number;
}

export type BackfillOutcome = 'enriched' | 'unchanged' | 'skipped';

/** A run as listed: its progress document and its enrichments' outcomes. */
export interface BackfillRunView extends Omit<BackfillProgress, 'stopRequested'> {
  readonly outcomes: BackfillOutcomes;
}

/** The selection of a spec, as the progress document keeps it. */
export function selectionOf(spec: BackfillSpec): BackfillSelection {
  return {
    entities: spec.entities,
    ...(spec.owners?.length ? { owners: spec.owners } : {}),
    ...(spec.categories?.length ? { categories: spec.categories } : {}),
    ...(spec.businesses?.length ? { businesses: spec.businesses } : {}),
    targetEmpty: spec.targetEmpty,
    ...(spec.updatedSince ? { updatedSince: spec.updatedSince } : {}),
    ...(spec.ids?.length ? { ids: spec.ids.length } : {}),
    ratePerMinute: spec.ratePerMinute,
    ...(spec.maxProviderCalls !== undefined ? { maxProviderCalls: spec.maxProviderCalls } : {}),
  };
}

/** A backfill run's state in Redis: written by the worker, read (and stopped) by the CLI. */
export interface BackfillProgress extends Omit<BackfillResult, 'status'> {
  /** `running` until the run ends; a crashed worker leaves it so, and the retried job resumes. */
  readonly status: BackfillResult['status'] | 'running';
  /** The last record id enqueued, per entity: a resumed run continues after it. */
  readonly cursor: { readonly contact: number; readonly person: number };
  /** Records done (enqueued or found current) out of `matched`, for the progress bar. */
  readonly done: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** When the run ended (completed, stopped, capped); absent while it runs. */
  readonly finishedAt?: string;
  /** The filters and pacing (absent in documents written before it was kept). */
  readonly selection?: BackfillSelection;
  /** Set by the CLI (Ctrl-C); the worker stops at the next record and keeps the cursor. */
  readonly stopRequested: boolean;
}

const DAY = 24 * 3600;
const OUTCOME_FIELDS = ['enriched', 'unchanged', 'skipped', 'providerCalls'] as const;
/** A run id as the job schema allows it: what follows the tenant in a run's own key. */
const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `{prefix}:backfill:{tenant}:{runId}`: one JSON document per run (kept 30 days), so a stopped
 * run or one whose worker crashed resumes from its cursor, and `{…}:stop` for Ctrl-C.
 */
export class BackfillProgressStore {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: TenantKeyPrefixOption,
  ) {}

  private key(tenant: string, runId: string): string {
    return `${prefixOfTenant(this.prefix, tenant)}:backfill:${tenant}:${runId}`;
  }

  async read(tenant: string, runId: string): Promise<BackfillProgress | undefined> {
    const [raw, stop] = await Promise.all([
      this.redis.get(this.key(tenant, runId)),
      this.redis.exists(`${this.key(tenant, runId)}:stop`),
    ]);
    if (!raw) return undefined;
    return { ...(JSON.parse(raw) as BackfillProgress), stopRequested: stop === 1 };
  }

  async write(tenant: string, progress: Omit<BackfillProgress, 'stopRequested'>): Promise<void> {
    await this.redis.set(
      this.key(tenant, progress.runId),
      JSON.stringify(progress),
      'EX',
      30 * DAY,
    );
  }

  async requestStop(tenant: string, runId: string): Promise<void> {
    await this.redis.set(`${this.key(tenant, runId)}:stop`, '1', 'EX', DAY);
  }

  async clearStop(tenant: string, runId: string): Promise<void> {
    await this.redis.del(`${this.key(tenant, runId)}:stop`);
  }

  /** Counts one finished enrichment of the run (the enrich processor, for its `backfill:` causes). */
  async countOutcome(
    tenant: string,
    runId: string,
    outcome: BackfillOutcome,
    providerCalled: boolean,
  ): Promise<void> {
    const key = `${this.key(tenant, runId)}:outcomes`;
    const multi = this.redis.multi().hincrby(key, outcome, 1);
    if (providerCalled) multi.hincrby(key, 'providerCalls', 1);
    await multi.expire(key, 30 * DAY).exec();
  }

  /** A run that begins anew counts its enrichments from zero. */
  async resetOutcomes(tenant: string, runId: string): Promise<void> {
    await this.redis.del(`${this.key(tenant, runId)}:outcomes`);
  }

  /** The tenant's runs, newest first (at most `limit`), with their outcomes: for the dashboard. */
  async list(tenant: string, limit: number): Promise<BackfillRunView[]> {
    const base = `${prefixOfTenant(this.prefix, tenant)}:backfill:${tenant}:`;
    const keys = (await scanKeys(this.redis, `${globEscape(base)}*`)).filter((k) =>
      RUN_ID.test(k.slice(base.length)),
    );
    if (keys.length === 0) return [];
    const docs = await this.redis.mget(keys);
    const runs = docs
      .filter((raw): raw is string => raw !== null)
      .map((raw) => JSON.parse(raw) as Omit<BackfillProgress, 'stopRequested'>)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .slice(0, limit);
    const outcomes = await Promise.all(
      runs.map((run) => this.redis.hmget(`${base}${run.runId}:outcomes`, ...OUTCOME_FIELDS)),
    );
    return runs.map((run, i) => {
      const [enriched, unchanged, skipped, providerCalls] = outcomes[i]!.map((v) => Number(v ?? 0));
      return {
        ...run,
        outcomes: {
          enriched: enriched!,
          unchanged: unchanged!,
          skipped: skipped!,
          providerCalls: providerCalls!,
        },
      };
    });
  }

  async stopRequested(tenant: string, runId: string): Promise<boolean> {
    return (await this.redis.exists(`${this.key(tenant, runId)}:stop`)) === 1;
  }
}
