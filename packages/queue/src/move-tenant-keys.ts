import type { Cluster, Redis } from 'ioredis';
import { partitionOf, partitionPrefix } from './partitions';
import { globEscape, scanKeyPages } from './scan-keys';
import { tenantOfKey } from './tenant-keys';

/**
 * The partition count the tenant-scoped keys are laid out for (`{prefix}:tenant-keys:partitions`;
 * no key = 1, every tenant's keys under QUEUE_PREFIX, as before they moved to the partitions).
 */
export function tenantKeyLayoutKey(prefix: string): string {
  return `${prefix}:tenant-keys:partitions`;
}

export async function readTenantKeyLayout(
  connection: Redis | Cluster,
  prefix: string,
): Promise<number> {
  const raw = await connection.get(tenantKeyLayoutKey(prefix));
  const count = raw === null ? 1 : Number(raw);
  return Number.isInteger(count) && count >= 1 ? count : 1;
}

/** Keys moved at once (each a DUMP, a PTTL, a RESTORE and a DEL). */
const BATCH = 200;

/**
 * Moves every tenant's own keys (tenant-keys.ts) from where `from` partitions put them to where
 * `to` partitions do, and records `to` as the layout. A key is copied with DUMP and RESTORE (its
 * time to live kept; on a Redis Cluster the two prefixes are in different slots, so RENAME cannot)
 * and then deleted; a key already at the new place (written there since) is kept and the old one
 * dropped. Run by the one worker starting while no other runs (partition-count-guard.ts): a key
 * written under the old layout meanwhile would stay behind. Safe to run again after a crash: keys
 * already moved are where `to` puts them, and what is left is moved.
 */
export async function moveTenantKeys(
  connection: Redis | Cluster,
  prefix: string,
  from: number,
  to: number,
): Promise<{ moved: number }> {
  let moved = 0;
  if (from !== to) {
    for (let partition = 0; partition < from; partition++) {
      const old = partitionPrefix(prefix, partition);
      // Page by page: a tenant-heavy deployment has millions of such keys (seen markers,
      // fingerprints), more than a starting worker should hold. The targets are under other
      // partitions' prefixes, which the old one's pattern does not match.
      for await (const page of scanKeyPages(connection, `${globEscape(old)}:*`)) {
        const moves: [string, string][] = [];
        for (const key of page) {
          const tenant = tenantOfKey(old, key);
          if (tenant === undefined) continue;
          const target = partitionPrefix(prefix, partitionOf(tenant, to));
          if (target !== old) moves.push([key, `${target}${key.slice(old.length)}`]);
        }
        for (let i = 0; i < moves.length; i += BATCH) {
          const done = await Promise.all(
            moves.slice(i, i + BATCH).map(([key, target]) => moveKey(connection, key, target)),
          );
          moved += done.filter(Boolean).length;
        }
      }
    }
  }
  if (to === 1) await connection.del(tenantKeyLayoutKey(prefix));
  else await connection.set(tenantKeyLayoutKey(prefix), String(to));
  return { moved };
}

async function moveKey(connection: Redis | Cluster, key: string, target: string): Promise<boolean> {
  const [dump, ttl] = await Promise.all([connection.dumpBuffer(key), connection.pttl(key)]);
  if (dump === null || ttl === -2) return false; // expired or deleted since the scan
  try {
    await connection.restore(target, ttl > 0 ? ttl : 0, dump);
  } catch (error) {
    // Written at the new place since: that one is newer.
    if (!(error instanceof Error && error.message.startsWith('BUSYKEY'))) throw error;
  }
  await connection.del(key);
  return true;
}
