import { startRedisCluster, startRedisSentinel } from '@so-connector/testing';
import { cli } from './cli-harness';

// doctor against a Sentinel setup and a Redis Cluster started from the redis-server binary. Only
// the Redis lines are asserted: SuperOffice is not configured here (those lines FAIL or SKIP).
interface Check {
  check: string;
  status: string;
  detail: string;
  fix?: string;
}

async function redisChecks(env: Record<string, string>): Promise<Check[]> {
  const run = await cli(['doctor', '--json'], { SO_CONTEXT_IDENTIFIER: 'Cust1', ...env });
  return run.json<{ checks: Check[] }>().checks.filter((c) => c.check.startsWith('redis'));
}

describe('doctor on Redis Sentinel', () => {
  it('reports the master, its replica, the Sentinels and the quorum; an unknown name fails', async () => {
    const setup = await startRedisSentinel({ replicas: 1, sentinels: 3 });
    try {
      const env = {
        REDIS_SENTINELS: setup.sentinelAddresses,
        REDIS_SENTINEL_NAME: setup.masterName,
      };
      const [master, replica] = setup.dataNodes.map((n) => `127.0.0.1:${n.port}`);
      const checks = await redisChecks(env);
      expect(checks.map((c) => `${c.status} ${c.check}`)).toEqual([
        'PASS redis',
        'PASS redis-quorum',
        `PASS redis-version ${master}`,
        `PASS redis-eviction ${master}`,
        `PASS redis-aof ${master}`,
        `PASS redis-version ${replica}`,
        `PASS redis-eviction ${replica}`,
        `PASS redis-aof ${replica}`,
      ]);
      expect(checks[0]?.detail).toBe(
        `Sentinel: master mymaster at ${master}, 1 replica(s); 3 of 3 Sentinels answer`,
      );
      expect(checks[2]?.detail).toMatch(/^master, Redis \d+\.\d+\.\d+$/);

      const unknown = await redisChecks({ ...env, REDIS_SENTINEL_NAME: 'othermaster' });
      expect(unknown).toEqual([
        {
          check: 'redis',
          status: 'FAIL',
          detail: 'no Sentinel knows a master named othermaster (REDIS_SENTINEL_NAME)',
          fix: expect.stringContaining('set REDIS_SENTINEL_NAME'),
        },
      ]);
    } finally {
      await setup.dispose();
    }
  }, 60_000);
});

describe('doctor on Redis Cluster', () => {
  it('reports every node; a node with an evicting policy fails; masters without replica warn', async () => {
    const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
    try {
      const [first] = cluster.nodes;
      const admin = await import('ioredis').then(({ Redis }) => new Redis(first!.url));
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      admin.disconnect();
      const checks = await redisChecks({
        REDIS_CLUSTER_NODES: cluster.seeds,
        QUEUE_PREFIX: '{so}',
      });
      expect(checks[0]).toMatchObject({
        check: 'redis',
        status: 'PASS',
        detail:
          'Cluster: 3 master(s), 0 replica(s), cluster_state ok, 16384 of 16384 slots assigned',
      });
      expect(checks[1]).toMatchObject({ check: 'redis-replicas', status: 'WARN' });
      expect(checks.filter((c) => c.check.startsWith('redis-version '))).toHaveLength(3);
      expect(checks.filter((c) => c.status === 'FAIL')).toEqual([
        expect.objectContaining({ check: `redis-eviction 127.0.0.1:${first!.port}` }),
      ]);
    } finally {
      await cluster.dispose();
    }
  }, 60_000);

  it('misconfiguration: one config line naming the variable, Redis not tried', async () => {
    const run = await cli(['doctor', '--json'], {
      SO_CONTEXT_IDENTIFIER: 'Cust1',
      REDIS_CLUSTER_NODES: '127.0.0.1:7000',
    });
    const checks = run.json<{ checks: Check[] }>().checks;
    expect(checks).toContainEqual(
      expect.objectContaining({
        check: 'config',
        status: 'FAIL',
        detail: expect.stringMatching(
          /^QUEUE_PREFIX must contain a hash tag such as \{so\} with REDIS_CLUSTER_NODES/,
        ),
      }),
    );
    expect(checks.find((c) => c.check === 'redis')?.status).toBe('SKIP');
  });
});
