import { once } from 'node:events';
import {
  askRedis,
  startRedisCluster,
  waitFor,
  type RedisProcess,
  type TestRedisCluster,
} from '@so-connector/testing';
import { Cluster, type ClusterNode, type ClusterOptions } from 'ioredis';
import { SettlingCluster } from '../src';

// A 3-master cluster without replicas: a master killed leaves `cluster_state:fail` until it is
// back, the window in which ioredis's Cluster.connect() loses its promise (settling-cluster.ts).
describe('SettlingCluster: connect() settles across a cluster_state:fail', () => {
  let cluster: TestRedisCluster;
  let seeds: ClusterNode[];
  const clients: Cluster[] = [];
  const options: ClusterOptions = { lazyConnect: true, clusterRetryStrategy: () => 100 };
  const client = <C extends Cluster>(made: C): C => {
    clients.push(made);
    return made;
  };
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0, nodeTimeoutMs: 1000 });
    seeds = cluster.clientNodes;
  }, 60_000);
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(() => cluster.dispose());

  /** Kills one master and waits until a live node says the cluster is failing. */
  async function failCluster(): Promise<RedisProcess> {
    const victim = cluster.nodes[2]!;
    await victim.kill();
    const live = cluster.nodes[0]!;
    await waitFor(
      async () =>
        /cluster_state:fail/.test(String(await askRedis(live.port, (r) => r.cluster('INFO')))),
      { timeoutMs: 20_000, intervalMs: 100, what: 'cluster_state:fail' },
    );
    return victim;
  }

  it('resolves once the cluster is ready again, where ioredis leaves its promise pending', async () => {
    const victim = await failCluster();
    try {
      const plain = client(new Cluster(seeds, options));
      const settling = client(new SettlingCluster(seeds, options));
      let plainSettled = false;
      plain.connect().then(
        () => (plainSettled = true),
        () => (plainSettled = true),
      );
      const connecting = settling.connect();
      // Both ran the ready check, found the cluster failing and reconnect on their own.
      await Promise.all([once(plain, 'reconnecting'), once(settling, 'reconnecting')]);

      await victim.start();
      await cluster.waitUntilHealthy();
      await connecting;
      expect(settling.status).toBe('ready');
      // Nothing pending: its own listeners are gone too.
      for (const event of ['ready', 'end'])
        expect(settling.listeners(event).filter((l) => SettlingCluster.ownsListener(l))).toEqual(
          [],
        );
      expect(await settling.set('{s}:k', 'v')).toBe('OK');

      // The upstream defect this class exists for: ready, yet its connect() never answered. When an
      // ioredis release settles it, this fails, and SettlingCluster can go.
      await waitFor(() => plain.status === 'ready', { timeoutMs: 20_000, what: 'plain ready' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(plainSettled).toBe(false);
    } finally {
      if (!victim.running) await victim.start();
      await cluster.waitUntilHealthy();
    }
  }, 60_000);

  it('rejects a pending connect() once the cluster gives up, and a duplicate is one too', async () => {
    const victim = await failCluster();
    try {
      const settling = client(new SettlingCluster(seeds, options));
      // One more try after the failed ready check, then the cluster ends.
      const twin = client(
        settling.duplicate([], {
          clusterRetryStrategy: (times: number) => (times < 2 ? 100 : null),
        }),
      );
      expect(twin).toBeInstanceOf(SettlingCluster);
      await expect(twin.connect()).rejects.toThrow('Connection is closed.');
      expect(twin.status).toBe('end');
    } finally {
      await victim.start();
      await cluster.waitUntilHealthy();
    }
  }, 60_000);
});
