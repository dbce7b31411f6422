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

/** The data nodes' ACL user, as on a managed Redis (the Sentinels and `default` stay open). */
const ACL_USER = { name: 'so-connector', password: 'pw-doctor-acl-1' };
const ACL_ENV = { REDIS_USERNAME: ACL_USER.name, REDIS_PASSWORD: ACL_USER.password };

/** doctor's answer per node when the ACL password is wrong: each node fails, naming the variables. */
async function wrongPasswordChecks(env: Record<string, string>): Promise<Check[]> {
  const checks = await redisChecks({ ...env, REDIS_PASSWORD: 'not-the-password' });
  return checks.filter((c) => c.status === 'FAIL');
}

describe('doctor on Redis Sentinel', () => {
  it('reports the master, its replica, the Sentinels and the quorum as the ACL user; an unknown name or a wrong password fails', async () => {
    const setup = await startRedisSentinel({ replicas: 1, sentinels: 3, aclUser: ACL_USER });
    try {
      const env = {
        REDIS_SENTINELS: setup.sentinelAddresses,
        REDIS_SENTINEL_NAME: setup.masterName,
        ...ACL_ENV,
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

      const refused = await wrongPasswordChecks(env);
      expect(refused.map((c) => c.check)).toEqual([`redis ${master}`, `redis ${replica}`]);
      for (const check of refused) {
        expect(check.detail).toMatch(/WRONGPASS/);
        expect(check.fix).toBe('check REDIS_USERNAME and REDIS_PASSWORD');
        expect(check.detail).not.toContain('not-the-password');
      }
    } finally {
      await setup.dispose();
    }
  }, 60_000);
});

describe('doctor on Redis Cluster', () => {
  it('reports every node as the ACL user; a node with an evicting policy fails; masters without replica warn; a wrong password fails every node', async () => {
    const cluster = await startRedisCluster({
      masters: 3,
      replicasPerMaster: 0,
      aclUser: ACL_USER,
    });
    try {
      const [first] = cluster.nodes;
      const admin = await import('ioredis').then(({ Redis }) => new Redis(first!.url));
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      admin.disconnect();
      const env = { REDIS_CLUSTER_NODES: cluster.seeds, QUEUE_PREFIX: '{so}', ...ACL_ENV };
      const checks = await redisChecks(env);
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

      // No seed lets the harness in: one line, every seed's WRONGPASS, the variables named.
      const refused = await wrongPasswordChecks(env);
      expect(refused).toEqual([
        {
          check: 'redis',
          status: 'FAIL',
          detail: expect.stringMatching(/^no node of REDIS_CLUSTER_NODES answers \(/),
          fix: 'check REDIS_USERNAME and REDIS_PASSWORD',
        },
      ]);
      expect(refused[0]!.detail.match(/WRONGPASS/g)).toHaveLength(3);
      expect(refused[0]!.detail).not.toContain('not-the-password');
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
