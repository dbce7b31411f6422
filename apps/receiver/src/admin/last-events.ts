import type { Cluster, Redis } from 'ioredis';
import type { EnqueueOutcome, EventEnqueuer } from '../webhook/event-enqueuer';
import type { EventJobData } from '@so-connector/queue';
import { readTenantFields, type TenantRegistry } from '@so-connector/tenants';

/** The registry's part the recorder follows: which tenants are served, and when one goes. */
export type ServedTenants = Pick<TenantRegistry, 'get' | 'on'>;

/** `{prefix}:tenants:last-event`: one hash, field = ContextIdentifier, value = epoch ms. */
export function lastEventKey(prefix: string): string {
  return `${prefix}:tenants:last-event`;
}

/** Keeps, per tenant, the newer of the stored and the given time (a drained spool is older). */
const KEEP_NEWEST = `
for i = 1, #ARGV, 2 do
  local old = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > old then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 0`;

/**
 * When each tenant's latest webhook event arrived, for `/admin/tenants`. The webhook path only
 * notes the time in memory; one script a second writes what was noted (the newest per tenant),
 * so a flood costs no extra Redis command per event. A write that fails is retried at the next.
 *
 * With `tenants` (the registry), the hash holds served tenants only: a removed tenant's field is
 * deleted when the registry drops it (a time noted just before is not written), and fields of
 * tenants removed while no receiver ran are pruned at start. Every receiver does the same, so the
 * last one to see a removal deletes what a slower one wrote meanwhile.
 */
export class LastEventRecorder {
  private pending = new Map<string, number>();
  /** Removed tenants whose field is still to be deleted (retried at each write until it is). */
  private readonly forgetting = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private readonly unfollow: () => void;
  /** The start-up prune of fields of tenants not served (resolves also when it failed). */
  readonly pruned: Promise<void>;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    intervalMs = 1000,
    private readonly tenants?: ServedTenants,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
    this.timer.unref();
    this.unfollow =
      tenants?.on('change', ({ added, removed }) => {
        for (const tenant of added) this.forgetting.delete(tenant);
        for (const tenant of removed) {
          this.pending.delete(tenant);
          this.forgetting.add(tenant);
        }
        if (removed.length > 0) void this.flush().catch(() => undefined);
      }) ?? (() => undefined);
    this.pruned = tenants ? this.prune().catch(() => undefined) : Promise.resolve();
  }

  note(tenant: string, atMs: number): void {
    if (!Number.isFinite(atMs)) return;
    if (atMs > (this.pending.get(tenant) ?? 0)) this.pending.set(tenant, atMs);
  }

  /** Deletes the fields of removed tenants, then writes what was noted since the last write. */
  async flush(): Promise<void> {
    if (this.forgetting.size > 0) {
      const gone = [...this.forgetting];
      await this.redis.hdel(lastEventKey(this.prefix), ...gone);
      for (const tenant of gone) this.forgetting.delete(tenant);
    }
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const served = [...batch].filter(
      ([tenant]) => !this.tenants || this.tenants.get(tenant) !== undefined,
    );
    if (served.length === 0) return;
    try {
      await this.redis.eval(KEEP_NEWEST, 1, lastEventKey(this.prefix), ...served.flat());
    } catch (error) {
      for (const [tenant, at] of served) this.note(tenant, at);
      throw error;
    }
  }

  /** Stops the timer after a last write. */
  async close(): Promise<void> {
    this.unfollow();
    clearInterval(this.timer);
    await this.pruned;
    await this.flush();
  }

  /** Deletes the fields of tenants the registry does not serve (removed while no receiver ran). */
  private async prune(): Promise<void> {
    const key = lastEventKey(this.prefix);
    const stale = (await this.redis.hkeys(key)).filter((t) => this.tenants?.get(t) === undefined);
    if (stale.length > 0) await this.redis.hdel(key, ...stale);
  }
}

/** The enqueuer, noting each event it put on the queue (new or duplicate) with the recorder. */
export function notingLastEvents(
  enqueuer: EventEnqueuer,
  recorder: LastEventRecorder,
): EventEnqueuer {
  return {
    async enqueue(data: EventJobData): Promise<EnqueueOutcome> {
      const outcome = await enqueuer.enqueue(data);
      recorder.note(data.tenant, Date.parse(data.receivedAt));
      return outcome;
    },
    close: () => enqueuer.close(),
  };
}

/** Each tenant's latest event (ISO); a tenant without one is not in the map. */
export function readLastEvents(
  redis: Redis | Cluster,
  prefix: string,
  tenants: readonly string[],
): Promise<Map<string, string>> {
  return readTenantFields(redis, lastEventKey(prefix), tenants, (raw) =>
    /^\d+$/.test(raw) ? new Date(Number(raw)).toISOString() : undefined,
  );
}
