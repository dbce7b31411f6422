import type { Cluster, Redis } from 'ioredis';
import { moveTenantKeys, readTenantKeyLayout } from './move-tenant-keys';
import { partitionLeasesKey, type PartitionLeaseSpec } from './partition-lease';

/**
 * Ends the id of a lease taken by a worker that lays each tenant's keys out in its partition
 * (tenant-keys.ts). A live lease without it is a worker of an earlier version, which writes every
 * tenant's keys under QUEUE_PREFIX.
 */
export const TENANT_KEY_LAYOUT_LEASE_MARK = ':tk';

/** The workers' live leases (members), on Redis's clock. */
const LIVE_LEASES = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')`;

const RELEASE_IF_OURS = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/** `{prefix}:tenant-keys:moving`: the worker moving the keys (SET NX, expiring). */
export function tenantKeyMoveLockKey(prefix: string): string {
  return `${prefix}:tenant-keys:moving`;
}

export type TenantKeyAlignment =
  | { readonly kind: 'aligned' }
  | { readonly kind: 'moved'; readonly from: number; readonly moved: number; readonly ms: number }
  | { readonly kind: 'waited'; readonly from: number; readonly ms: number }
  | { readonly kind: 'refuse'; readonly message: string };

export interface AlignTenantKeysOptions {
  readonly connection: Redis | Cluster;
  readonly prefix: string;
  /** QUEUE_PARTITIONS, already checked and leased (checkPartitionCount). */
  readonly partitions: number;
  /** This worker's lease (its id ends with TENANT_KEY_LAYOUT_LEASE_MARK). */
  readonly lease: PartitionLeaseSpec;
  /** How long a worker waits for another one moving the keys; default 10 minutes. */
  readonly waitMs?: number;
  /** How long the move lock lives (renewed by nothing: a move that takes longer is retried). */
  readonly lockMs?: number;
  readonly pollMs?: number;
}

/**
 * Makes the tenants' own keys be where `partitions` puts them before a worker serves: when the
 * recorded layout (move-tenant-keys.ts; none = 1, the layout of earlier versions) differs, one
 * starting worker moves them and the others starting with it wait until it has. Refused while a
 * worker of an earlier version runs (its lease lacks the mark): it would go on writing under the
 * old layout, and what it wrote would stay behind.
 */
export async function alignTenantKeys(
  options: AlignTenantKeysOptions,
): Promise<TenantKeyAlignment> {
  const { connection, prefix, partitions, lease } = options;
  const from = await readTenantKeyLayout(connection, prefix);
  if (from === partitions) return { kind: 'aligned' };
  const live = (await connection.eval(LIVE_LEASES, 1, partitionLeasesKey(prefix))) as string[];
  const earlier = live.filter((member) => !member.endsWith(TENANT_KEY_LAYOUT_LEASE_MARK));
  if (earlier.length > 0)
    return {
      kind: 'refuse',
      message:
        `QUEUE_PARTITIONS is ${partitions} and each tenant's keys are to move into its partition, ` +
        `but ${earlier.length} worker(s) of an earlier version still run and write them under ` +
        `QUEUE_PREFIX: stop them, then start this version (docs/architecture.md "Partitions")`,
    };
  const started = Date.now();
  const lockKey = tenantKeyMoveLockKey(prefix);
  const lockMs = options.lockMs ?? 10 * 60_000;
  const deadline = started + (options.waitMs ?? 10 * 60_000);
  for (;;) {
    const layout = await readTenantKeyLayout(connection, prefix);
    if (layout === partitions) return { kind: 'waited', from, ms: Date.now() - started };
    if ((await connection.set(lockKey, lease.id, 'PX', lockMs, 'NX')) === 'OK') {
      try {
        // Read again under the lock: another worker may have moved them since the read above.
        const current = await readTenantKeyLayout(connection, prefix);
        if (current === partitions) return { kind: 'waited', from, ms: Date.now() - started };
        const { moved } = await moveTenantKeys(connection, prefix, current, partitions);
        return { kind: 'moved', from: current, moved, ms: Date.now() - started };
      } finally {
        await connection.eval(RELEASE_IF_OURS, 1, lockKey, lease.id);
      }
    }
    if (Date.now() > deadline)
      return {
        kind: 'refuse',
        message:
          `QUEUE_PARTITIONS is ${partitions}: another worker has been moving each tenant's keys ` +
          `into its partition for ${Math.round((Date.now() - started) / 1000)} s; start again once ` +
          `it is done (docs/architecture.md "Partitions")`,
      };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}
