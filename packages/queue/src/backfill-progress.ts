import type { Redis } from 'ioredis';
import type { BackfillResult } from './payloads';

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
  /** Set by the CLI (Ctrl-C); the worker stops at the next record and keeps the cursor. */
  readonly stopRequested: boolean;
}

const DAY = 24 * 3600;

/**
 * `{prefix}:backfill:{tenant}:{runId}`: one JSON document per run (kept 30 days), so a stopped
 * run or one whose worker crashed resumes from its cursor, and `{…}:stop` for Ctrl-C.
 */
export class BackfillProgressStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(tenant: string, runId: string): string {
    return `${this.prefix}:backfill:${tenant}:${runId}`;
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

  async stopRequested(tenant: string, runId: string): Promise<boolean> {
    return (await this.redis.exists(`${this.key(tenant, runId)}:stop`)) === 1;
  }
}
