import type { Cluster, Redis } from 'ioredis';

/**
 * Leases of the running workers on the partition count (`{prefix}:queue-partitions:leases`, a
 * sorted set of `<count>:<worker id>` scored by expiry on Redis's clock). A worker takes one at
 * start, in the same script that records a new count, and renews it while it runs; a worker that
 * would record another count is refused while a lease of another count is live. Without them, two
 * workers starting at once with different QUEUE_PARTITIONS on drained queues both read the old
 * count and both recorded theirs (the last one won), and a worker started with another count while
 * the others ran on drained queues recorded it under them. The key shares the count key's prefix,
 * and so its hash tag: one slot on a Redis Cluster (QUEUE_PREFIX carries a tag there).
 */
export function partitionLeasesKey(prefix: string): string {
  return `${prefix}:queue-partitions:leases`;
}

/** A worker's lease: its id and how long it lives unless renewed. */
export interface PartitionLeaseSpec {
  readonly id: string;
  readonly ttlMs: number;
}

export type PartitionClaim =
  | { readonly kind: 'claimed' }
  /** The recorded count is no longer what the caller read: read again and decide again. */
  | { readonly kind: 'changed' }
  /** Live leases of other counts: the counts, ascending. */
  | { readonly kind: 'served'; readonly counts: readonly number[] };

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: the count key, the leases key. ARGV: configured count, the count key's value as read ('' =
 * none), record (1/0), the lease member ('' = none), the lease's time to live in ms.
 */
const CLAIM = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[2] then return {'changed'} end
local others = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local count = string.match(member, '^(%d+):')
  if count ~= ARGV[1] then table.insert(others, count) end
end
if #others > 0 then return {'served', unpack(others)} end
if ARGV[3] == '1' then
  if ARGV[1] == '1' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[1]) end
end
if ARGV[4] ~= '' then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
end
return {'claimed'}`;

/** KEYS: the leases key. ARGV: the member, its time to live in ms. */
const RENEW = `${NOW_MS}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

const member = (configured: number, lease: PartitionLeaseSpec) => `${configured}:${lease.id}`;

/**
 * Atomically: refuses while a live lease serves another count; else records `configured` (when
 * `record`, and only if the count key still holds `seen`) and takes the caller's lease.
 */
export async function claimPartitionCount(
  connection: Redis | Cluster,
  keys: { readonly count: string; readonly leases: string },
  options: {
    readonly configured: number;
    readonly seen: string | null;
    readonly record: boolean;
    readonly lease?: PartitionLeaseSpec | undefined;
  },
): Promise<PartitionClaim> {
  const { configured, lease } = options;
  const reply = (await connection.eval(
    CLAIM,
    2,
    keys.count,
    keys.leases,
    String(configured),
    options.seen ?? '',
    options.record ? '1' : '0',
    lease ? member(configured, lease) : '',
    String(lease?.ttlMs ?? 0),
  )) as string[];
  if (reply[0] === 'changed') return { kind: 'changed' };
  if (reply[0] === 'served')
    return {
      kind: 'served',
      counts: [...new Set(reply.slice(1).map(Number))].sort((a, b) => a - b),
    };
  return { kind: 'claimed' };
}

/** Extends the lease by its time to live from now (Redis's clock). */
export async function renewPartitionLease(
  connection: Redis | Cluster,
  prefix: string,
  configured: number,
  lease: PartitionLeaseSpec,
): Promise<void> {
  await connection.eval(
    RENEW,
    1,
    partitionLeasesKey(prefix),
    member(configured, lease),
    String(lease.ttlMs),
  );
}

/** Gives the lease back (a clean stop), so a change of the count need not wait for it to expire. */
export async function releasePartitionLease(
  connection: Redis | Cluster,
  prefix: string,
  configured: number,
  lease: PartitionLeaseSpec,
): Promise<void> {
  await connection.zrem(partitionLeasesKey(prefix), member(configured, lease));
}
