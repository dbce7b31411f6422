// Benchmark 9's scales: used_memory and every key weighed by family (footprint.bench.ts).
import type { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@so-connector/queue';

export interface Families {
  /** Job hashes (`so:so-events:<EventId>`), completed or not. */
  readonly jobs: { keys: number; bytes: number };
  /** Dedup markers (`so:so-events:de:<EventId>`). */
  readonly markers: { keys: number; bytes: number };
  /** Every other key of the queue: the completed zset, the events stream, meta, id, metrics. */
  readonly other: { keys: number; bytes: number };
  /** The worker's sync-run facts: one sorted set per account, one index per tenant. */
  readonly runs: { keys: number; bytes: number };
  /** Other keys outside so-events: activity counters, the worker's other queues. */
  readonly outside: { keys: number; bytes: number };
}

export interface Checkpoint {
  readonly events: number;
  /** used_memory minus its value before the first event. */
  readonly usedBytes: number;
  readonly families: Families;
}

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

/** Every key weighed with MEMORY USAGE (SAMPLES 0: every element of a stream or zset counted). */
export async function weigh(redis: Redis, prefix: string): Promise<Families> {
  const families = {
    jobs: { keys: 0, bytes: 0 },
    markers: { keys: 0, bytes: 0 },
    other: { keys: 0, bytes: 0 },
    runs: { keys: 0, bytes: 0 },
    outside: { keys: 0, bytes: 0 },
  };
  const queueKey = `${prefix}:${QUEUE_NAMES.events}:`;
  const jobKey = new RegExp(`^${queueKey.replace(/[{}]/g, '\\$&')}[0-9a-f-]{36}$`);
  const markerKey = `${queueKey}de:`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    const sizes = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const family = key.startsWith(`${prefix}:runs:`)
        ? families.runs
        : !key.startsWith(queueKey)
          ? families.outside
          : key.startsWith(markerKey)
            ? families.markers
            : jobKey.test(key)
              ? families.jobs
              : families.other;
      family.keys++;
      family.bytes += Number(sizes[i]?.[1] ?? 0);
    });
  } while (cursor !== '0');
  return families;
}

/** The families of several nodes (a Cluster's masters) added up. */
export function addFamilies(parts: readonly Families[]): Families {
  const add = (name: keyof Families) => ({
    keys: parts.reduce((n, f) => n + f[name].keys, 0),
    bytes: parts.reduce((n, f) => n + f[name].bytes, 0),
  });
  return {
    jobs: add('jobs'),
    markers: add('markers'),
    other: add('other'),
    runs: add('runs'),
    outside: add('outside'),
  };
}
