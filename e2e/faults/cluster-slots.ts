import { askRedis, waitFor, type RedisProcess, type TestRedisCluster } from '@so-connector/testing';

/**
 * The master serving `key`'s slot, as a node other than `skip` sees it (`CLUSTER
 * SLOTS`). A frozen node is never asked: it would accept the connection and answer nothing.
 */
export async function slotOwner(setup: TestRedisCluster, key: string, skip?: RedisProcess) {
  for (const node of setup.nodes.filter((n) => n.running && n !== skip)) {
    try {
      return await askRedis(node.port, async (r) => {
        const slot = Number(await r.cluster('KEYSLOT', key));
        const ranges = await r.cluster('SLOTS');
        const range = ranges.find(([from, to]) => slot >= from && slot <= to);
        return range?.[2] ? setup.node(Number(range[2][1])) : undefined;
      });
    } catch {
      // a node that is down: ask the next
    }
  }
  return undefined;
}

/** The node serving the prefix's slot once it is not `old` (its replica was promoted). */
export function failedOverFrom(setup: TestRedisCluster, prefix: string, old: RedisProcess) {
  return waitFor(
    async () => {
      const owner = await slotOwner(setup, prefix, old);
      return owner && owner !== old ? owner : undefined;
    },
    {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: `a replica promoted to the master of ${prefix}'s slot`,
    },
  );
}
