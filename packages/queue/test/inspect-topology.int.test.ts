import { loadCliConfig } from '@so-connector/config';
import {
  freePort,
  startRedisCluster,
  startRedisSentinel,
  startRedisServer,
} from '@so-connector/testing';
import { inspectRedisTopology } from '../src';

const topology = (extra: Record<string, string>) =>
  loadCliConfig({ SO_CONTEXT_IDENTIFIER: 'Cust1', ...extra }).redis;
const inspect = (extra: Record<string, string>) =>
  inspectRedisTopology(topology(extra), { timeoutMs: 2000 });

describe('inspectRedisTopology', () => {
  it('single node: role, version, eviction policy and AOF from INFO', async () => {
    const server = await startRedisServer({ appendOnly: false });
    try {
      const report = await inspect({ REDIS_URL: server.url });
      expect(report).toEqual({
        mode: 'single',
        nodes: [
          {
            address: `127.0.0.1:${server.port}`,
            role: 'master',
            version: expect.stringMatching(/^\d+\.\d+\.\d+/),
            evictionPolicy: 'noeviction',
            appendOnly: false,
            error: undefined,
          },
        ],
      });
    } finally {
      await server.dispose();
    }
  });

  it('single node down: the node reports why', async () => {
    const port = await freePort();
    const report = await inspect({ REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(report.nodes[0]).toMatchObject({
      address: `127.0.0.1:${port}`,
      error: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('Sentinel: the master and its replica through the Sentinels, quorum, an unknown name', async () => {
    const setup = await startRedisSentinel({ replicas: 1, sentinels: 3 });
    try {
      const env = {
        REDIS_SENTINELS: setup.sentinelAddresses,
        REDIS_SENTINEL_NAME: setup.masterName,
      };
      const report = await inspect(env);
      const [master, replica] = setup.dataNodes;
      expect(report.error).toBeUndefined();
      expect(report.nodes.map((n) => [n.address, n.role, n.appendOnly, n.evictionPolicy])).toEqual([
        [`127.0.0.1:${master!.port}`, 'master', true, 'noeviction'],
        [`127.0.0.1:${replica!.port}`, 'replica', true, 'noeviction'],
      ]);
      expect(report.sentinel?.sentinels).toHaveLength(3);
      expect(
        report.sentinel?.sentinels.every((s) => s.master === `127.0.0.1:${master!.port}`),
      ).toBe(true);
      expect(report.sentinel?.quorum).toEqual({
        ok: true,
        message: expect.stringContaining('OK 3 usable Sentinels'),
      });

      const unknown = await inspect({ ...env, REDIS_SENTINEL_NAME: 'not-monitored' });
      expect(unknown.error).toBe(
        'no Sentinel knows a master named not-monitored (REDIS_SENTINEL_NAME)',
      );

      await setup.sentinels[0]!.kill();
      const oneDown = await inspect(env);
      expect(oneDown.sentinel?.sentinels[0]).toMatchObject({
        error: expect.stringContaining('ECONNREFUSED'),
      });
      expect(oneDown.nodes).toHaveLength(2);
    } finally {
      await setup.dispose();
    }
  }, 60_000);

  it('Cluster: every node from one seed; masters without a replica named; a dead seed skipped', async () => {
    const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
    try {
      const dead = await freePort();
      const report = await inspect({
        REDIS_CLUSTER_NODES: `127.0.0.1:${dead},${cluster.seeds.split(',')[1]}`,
        QUEUE_PREFIX: '{so}',
      });
      expect(report.error).toBeUndefined();
      expect(report.cluster).toMatchObject({ state: 'ok', slotsAssigned: 16384, failing: [] });
      expect([...(report.cluster?.mastersWithoutReplica ?? [])].sort()).toEqual(
        cluster.nodes.map((n) => `127.0.0.1:${n.port}`).sort(),
      );
      expect(report.nodes.map((n) => n.role)).toEqual(['master', 'master', 'master']);
    } finally {
      await cluster.dispose();
    }
  }, 60_000);

  it('Cluster: no seed answers → one line naming REDIS_CLUSTER_NODES', async () => {
    const port = await freePort();
    const report = await inspect({
      REDIS_CLUSTER_NODES: `127.0.0.1:${port}`,
      QUEUE_PREFIX: '{so}',
    });
    expect(report.error).toMatch(
      /^no node of REDIS_CLUSTER_NODES answers \(127\.0\.0\.1:\d+: .*ECONNREFUSED/,
    );
  });
});
