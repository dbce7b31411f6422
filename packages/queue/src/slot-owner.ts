import { Command, type Cluster, type Redis } from 'ioredis';

/** The hash slot of `key`, computed as ioredis routes a command (cluster-key-slot). */
export function keySlot(key: string): number {
  return new Command('get', [key]).getSlot();
}

/**
 * The connection the cluster uses for the master serving `key`'s slot, per its slot map now
 * (ioredis updates it on MOVED and after a failover), or undefined while the map has no master
 * for that slot. Commands sent on it share the socket of the cluster's own writes to that master,
 * which is what `WAIT` needs.
 */
export function masterServing(redis: Cluster, key: string): Redis | undefined {
  const owner = redis.slots[keySlot(key)]?.[0];
  if (owner === undefined) return undefined;
  return redis
    .nodes('master')
    .find((node) => `${node.options.host}:${node.options.port}` === owner);
}
