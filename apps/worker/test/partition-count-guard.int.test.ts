import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { createLogger, createShutdownRegistry } from '@so-connector/logger';
import {
  closeRedis,
  partitionCountKey,
  partitionLeasesKey,
  tenantKeyLayoutKey,
  tenantKeyPrefix,
} from '@so-connector/queue';
import { useTestRedis, waitFor } from '@so-connector/testing';
import { guardPartitionCount } from '../src/partition-count-guard';

const logger = createLogger({
  component: 'worker',
  level: 'error',
  format: 'json',
  destination: new PassThrough(),
});

/** A logger at info whose JSON lines the test reads. */
function capturingLogger() {
  const out = new PassThrough();
  const lines: { level: string; message: string }[] = [];
  out.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      lines.push(JSON.parse(line) as { level: string; message: string });
  });
  return {
    logger: createLogger({ component: 'worker', level: 'info', format: 'json', destination: out }),
    lines,
  };
}

describe('guardPartitionCount', () => {
  it('holds its lease past its time to live while the worker runs, and gives it back at the stop', async () => {
    // The test file's own prefix is the deployment's.
    const redis = await useTestRedis();
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const leases = partitionLeasesKey(redis.prefix);
    const guard = (partitions: number, shutdown = createShutdownRegistry(logger, 5000)) =>
      guardPartitionCount({
        connection,
        prefix: redis.prefix,
        partitions,
        logger,
        shutdown,
        leaseTtlMs: 600,
      });
    try {
      const shutdown = createShutdownRegistry(logger, 5000);
      await guard(4, shutdown);
      const [member] = await connection.zrange(leases, 0, -1);
      expect(member).toMatch(/^4:/);
      // Three times the lease's life: only the renewals (every 200 ms) keep it.
      const until = Date.now() + 1800;
      await waitFor(() => Date.now() > until, { what: 'three lease lifetimes' });
      expect(Number(await connection.zscore(leases, member!))).toBeGreaterThan(Date.now());
      await expect(guard(8)).rejects.toThrow(
        /^QUEUE_PARTITIONS is 8 but running workers serve 4 partition\(s\)/,
      );

      await shutdown.shutdown('SIGTERM');
      expect(await connection.zcard(leases)).toBe(0);
      const next = createShutdownRegistry(logger, 5000);
      await guard(8, next);
      expect(await connection.get(partitionCountKey(redis.prefix))).toBe('8');
      await next.shutdown('SIGTERM');
    } finally {
      await closeRedis(connection);
      await redis.cleanup();
    }
  });

  it('warns once when renewals start failing and says when they work again', async () => {
    const redis = await useTestRedis();
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const leases = partitionLeasesKey(redis.prefix);
    const { logger: chatty, lines } = capturingLogger();
    const shutdown = createShutdownRegistry(chatty, 5000);
    const renewalLines = () => lines.filter((l) => /partition-count lease/.test(l.message));
    try {
      await guardPartitionCount({
        connection,
        prefix: redis.prefix,
        partitions: 4,
        logger: chatty,
        shutdown,
        leaseTtlMs: 300,
      });
      // A string where the sorted set was: every renewal (each 100 ms) fails with WRONGTYPE.
      await connection.set(leases, 'not a sorted set');
      await waitFor(() => renewalLines().length > 0, { what: 'the first failed renewal' });
      const failingUntil = Date.now() + 600;
      await waitFor(() => Date.now() > failingUntil, { what: 'more failed renewals' });
      expect(renewalLines()).toEqual([
        expect.objectContaining({
          level: 'warn',
          message: 'could not renew the partition-count lease',
        }),
      ]);
      await connection.del(leases);
      await waitFor(() => renewalLines().length > 1, { what: 'a renewal that works' });
      const backUntil = Date.now() + 400;
      await waitFor(() => Date.now() > backUntil, { what: 'more renewals' });
      expect(await connection.zcard(leases)).toBe(1);
      expect(renewalLines().map((l) => l.level)).toEqual(['warn', 'info']);
      expect(renewalLines()[1]!.message).toBe('partition-count lease renewed again');
    } finally {
      await shutdown.shutdown('SIGTERM');
      await closeRedis(connection);
      await redis.cleanup();
    }
  });

  it("moves each tenant's keys into its partition before it serves, and says so", async () => {
    const redis = await useTestRedis();
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const { logger: chatty, lines } = capturingLogger();
    const shutdown = createShutdownRegistry(chatty, 5000);
    // Written by a worker with one partition (or of an earlier version): under QUEUE_PREFIX.
    const old = `${redis.prefix}:enriched:Cust1002:contact:2`;
    await connection.set(old, 'fingerprint');
    try {
      await guardPartitionCount({
        connection,
        prefix: redis.prefix,
        partitions: 8,
        logger: chatty,
        shutdown,
      });
      const moved = `${tenantKeyPrefix(redis.prefix, 8)('Cust1002')}:enriched:Cust1002:contact:2`;
      expect(moved).not.toBe(old);
      expect(await connection.get(moved)).toBe('fingerprint');
      expect(await connection.exists(old)).toBe(0);
      expect(await connection.get(tenantKeyLayoutKey(redis.prefix))).toBe('8');
      expect(lines.map((l) => l.message)).toContain("moved each tenant's keys into its partition");
    } finally {
      await shutdown.shutdown('SIGTERM');
      await closeRedis(connection);
      await redis.cleanup();
    }
  });
});
