import { Cluster, type Redis } from 'ioredis';

async function scanNode(redis: Redis, match: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

/**
 * Every key matching `match`. SCAN is per node: on a Redis Cluster a keyless command goes to one
 * node, which holds only its own slots, so each master is scanned (the keys of one hash tag live
 * on one of them; the others answer nothing).
 */
export async function scanKeys(redis: Redis | Cluster, match: string): Promise<string[]> {
  if (!(redis instanceof Cluster)) return scanNode(redis, match);
  const perMaster = await Promise.all(redis.nodes('master').map((node) => scanNode(node, match)));
  return [...new Set(perMaster.flat())];
}
