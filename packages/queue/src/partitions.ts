/**
 * Queue partitions (QUEUE_PARTITIONS, docs/architecture.md "Partitions"). BullMQ keeps all of a
 * queue's keys under one prefix, and a Redis Cluster hashes them by the prefix's hash tag: one
 * queue is one slot, on one master. So `so-events` and `so-enrich` are split into partitions, each
 * a queue of the same name under a prefix with a hash tag of its own, and a tenant's jobs always
 * go to one partition: everything that touches several keys of a tenant's job (the EventId dedup
 * marker, the enrichment's debounce and causes) stays within that partition's slot.
 */

/** FNV-1a, 32 bits, over the UTF-8 bytes: small, stable across processes and versions. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The partition of a tenant: FNV-1a of its ContextIdentifier modulo the partition count. Every
 * producer and the dashboard compute it alike, so a tenant's events, enrichments and the lookups
 * of its jobs meet in one queue. Case-sensitive, as ContextIdentifiers are compared elsewhere.
 */
export function partitionOf(tenant: string, partitions: number): number {
  assertPartitions(partitions);
  return partitions === 1 ? 0 : fnv1a32(tenant) % partitions;
}

/**
 * The key prefix of partition `partition`. Partition 0 is `prefix` itself: with one partition
 * every key is what it was before partitions existed. Partition p ≥ 1 gets a hash tag of its own:
 * `{so}` → `{so-p1}` (Redis hashes by the first `{…}`, so `{so}-p1` would stay in `{so}`'s slot);
 * `app:{so}:x` → `app:{so-p1}:x`; an untagged prefix (a single node) → `so-p1`.
 */
export function partitionPrefix(prefix: string, partition: number): string {
  if (!Number.isInteger(partition) || partition < 0)
    throw new RangeError(`partition must be a whole number ≥ 0 (got ${partition})`);
  if (partition === 0) return prefix;
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  // Redis's rule: the first `{` and the first `}` after it, with something between.
  if (close > open + 1) return `${prefix.slice(0, close)}-p${partition}${prefix.slice(close)}`;
  return `${prefix}-p${partition}`;
}

/** The prefixes of every partition, index = partition. */
export function partitionPrefixes(prefix: string, partitions: number): string[] {
  assertPartitions(partitions);
  return Array.from({ length: partitions }, (_, p) => partitionPrefix(prefix, p));
}

/**
 * How a partition's queue is named where several partitions are listed side by side (Bull Board,
 * the dashboard's job links): partition 0 keeps the queue's name, p ≥ 1 is `p{p}.{name}`
 * (Bull Board can only put text before a name).
 */
export function partitionLabel(queueName: string, partition: number): string {
  return partition === 0 ? queueName : `p${partition}.${queueName}`;
}

/** The queue name and partition of a label made by `partitionLabel`. */
export function parsePartitionLabel(label: string): { name: string; partition: number } {
  const match = /^p([1-9]\d{0,2})\.(.+)$/.exec(label);
  return match ? { name: match[2]!, partition: Number(match[1]) } : { name: label, partition: 0 };
}

function assertPartitions(partitions: number): void {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`partitions must be a whole number ≥ 1 (got ${partitions})`);
}
