import type { Cluster, Redis } from 'ioredis';
import type { EnqueueOutcome, EventEnqueuer } from '../webhook/event-enqueuer';
import type { EventJobData } from '@so-connector/queue';
import { readTenantFields } from '@so-connector/tenants';

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
 */
export class LastEventRecorder {
  private pending = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    intervalMs = 1000,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  note(tenant: string, atMs: number): void {
    if (!Number.isFinite(atMs)) return;
    if (atMs > (this.pending.get(tenant) ?? 0)) this.pending.set(tenant, atMs);
  }

  /** Writes what was noted since the last write. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.redis.eval(KEEP_NEWEST, 1, lastEventKey(this.prefix), ...[...batch].flat());
    } catch (error) {
      for (const [tenant, at] of batch) this.note(tenant, at);
      throw error;
    }
  }

  /** Stops the timer after a last write. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
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
