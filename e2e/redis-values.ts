import type { Cluster, Redis } from 'ioredis';
import { scanKeys } from '@so-connector/queue';

/** One key of a Redis and everything it holds, as text (members, fields and values). */
export interface RedisEntry {
  readonly key: string;
  readonly text: string;
}

async function textOf(node: Redis | Cluster, key: string): Promise<string> {
  const type = await node.type(key);
  switch (type) {
    case 'string':
      return (await node.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await node.hgetall(key));
    case 'list':
      return JSON.stringify(await node.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await node.smembers(key));
    case 'zset':
      return JSON.stringify(await node.zrange(key, 0, -1, 'WITHSCORES'));
    case 'stream':
      return JSON.stringify(await node.xrange(key, '-', '+'));
    case 'none': // expired between SCAN and TYPE
      return '';
    default:
      throw new Error(`${key}: a ${type} this dump cannot read`);
  }
}

/**
 * Every key of the Redis behind `client` with its contents as text: every master of a Cluster
 * (`scanKeys` without a hash tag), else the one node (a Sentinel client is connected to the
 * master). Values are read type by type, not with DUMP, whose RDB encoding compresses long strings
 * (a secret in it would not be found).
 */
export async function everyRedisEntry(client: Redis | Cluster): Promise<RedisEntry[]> {
  const keys = await scanKeys(client, '*');
  return Promise.all(keys.map(async (key) => ({ key, text: await textOf(client, key) })));
}
