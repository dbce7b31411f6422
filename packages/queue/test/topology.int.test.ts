import { loadCliConfig, type ClusterRedis, type RedisTopology } from '@so-connector/config';
import {
  startRedisCluster,
  startRedisSentinel,
  startRedisServer,
  waitFor,
  type TestRedisCluster,
  type TestRedisSentinel,
} from '@so-connector/testing';
import { Queue, Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { createRedisClusterConnection, createRedisConnection } from '../src';

// Every topology the factory knows, each started from the redis-server binary on loopback ports.
const env = (extra: Record<string, string>) =>
  loadCliConfig({ SO_CONTEXT_IDENTIFIER: 'Cust1', ...extra }).redis;

/**
 * Resolves when the connection is ready; rejects after 20 s naming its status, so a connection
 * that never gets there (CI saw the cluster round trip stall) fails with a cause, not a timeout.
 */
function ready(redis: {
  status: string;
  once(event: 'ready', fn: () => void): unknown;
}): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`connection not ready after 20 s: status ${redis.status}`)),
      20_000,
    );
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The port of the node a connection talks to now (`options.port` stays the first one). */
async function servingPort(redis: Redis): Promise<number> {
  return Number(/tcp_port:(\d+)/.exec(await redis.info('server'))?.[1]);
}

/** Measured durations, printed once at the end (docs/deploy.md quotes them). */
const measured: string[] = [];
afterAll(() => {
  if (measured.length > 0) process.stdout.write(`topology timings:\n  ${measured.join('\n  ')}\n`);
});

describe('single node through the topology', () => {
  it('REDIS_URL with REDIS_USERNAME/REDIS_PASSWORD: round trip as the ACL user', async () => {
    const server = await startRedisServer();
    const admin = createRedisConnection(server.url, { role: 'worker' });
    try {
      await admin.call('ACL', 'SETUSER', 'connector', 'on', '>pw-connector-1', '~*', '+@all');
      const redis = createRedisConnection(
        env({
          REDIS_URL: server.url,
          REDIS_USERNAME: 'connector',
          REDIS_PASSWORD: 'pw-connector-1',
        }),
        { role: 'producer' },
      );
      try {
        await ready(redis);
        await redis.set('k', 'v');
        expect(await redis.get('k')).toBe('v');
        expect(await redis.call('ACL', 'WHOAMI')).toBe('connector');
      } finally {
        redis.disconnect();
      }
    } finally {
      admin.disconnect();
      await server.dispose();
    }
  });

  it('producer: fails at once while the node is down', async () => {
    const server = await startRedisServer();
    const redis = createRedisConnection(env({ REDIS_URL: server.url }), { role: 'producer' });
    redis.on('error', () => undefined);
    try {
      await ready(redis);
      await server.kill();
      await waitFor(() => redis.status !== 'ready', { what: 'the connection to notice' });
      await expect(redis.set('k', 'v')).rejects.toThrow(
        /Stream isn't writeable|enableOfflineQueue/,
      );
    } finally {
      redis.disconnect();
      await server.dispose();
    }
  });

  it('a Cluster topology is refused by createRedisConnection with the function to use', () => {
    const cluster = env({ REDIS_CLUSTER_NODES: '127.0.0.1:1', QUEUE_PREFIX: '{so}' });
    expect(() => createRedisConnection(cluster, { role: 'producer' })).toThrow(/createConnection/);
  });
});

describe('Sentinel', () => {
  let setup: TestRedisSentinel;
  let topology: RedisTopology;
  beforeAll(async () => {
    setup = await startRedisSentinel({ replicas: 1, sentinels: 3 });
    topology = env({
      REDIS_SENTINELS: setup.sentinelAddresses,
      REDIS_SENTINEL_NAME: setup.masterName,
    });
  }, 60_000);
  afterAll(() => setup.dispose());

  it('round trip through the master the Sentinels name; BullMQ works on it', async () => {
    const producer = createRedisConnection(topology, { role: 'producer' });
    const consumer = createRedisConnection(topology, { role: 'worker' });
    const queue = new Queue('topology-sentinel', { connection: producer, prefix: 't' });
    try {
      await ready(producer);
      await producer.set('k', 'sentinel');
      expect(await consumer.get('k')).toBe('sentinel');
      expect(await servingPort(producer)).toBe((await setup.currentMaster()).port);
      const done = new Promise<unknown>((resolve) => {
        const worker = new Worker('topology-sentinel', (job) => Promise.resolve(job.data), {
          connection: consumer,
          prefix: 't',
        });
        worker.on('completed', (job) => void worker.close().then(() => resolve(job.returnvalue)));
      });
      await queue.add('x', { n: 1 });
      await expect(done).resolves.toEqual({ n: 1 });
    } finally {
      await queue.close();
      producer.disconnect();
      consumer.disconnect();
    }
  });

  it('master SIGKILLed: the producer fails fast, then both roles reach the new master', async () => {
    const producer = createRedisConnection(topology, { role: 'producer' });
    const consumer = createRedisConnection(topology, { role: 'worker' });
    producer.on('error', () => undefined);
    consumer.on('error', () => undefined);
    try {
      await Promise.all([ready(producer), ready(consumer)]);
      const old = await setup.currentMaster();
      await waitFor(
        async () => (await consumer.info('replication')).includes('connected_slaves:1'),
        { what: 'the replica' },
      );
      const killedAt = Date.now();
      await old.kill();
      await waitFor(() => producer.status !== 'ready', { what: 'the producer to notice' });
      await expect(producer.set('k', 'during')).rejects.toThrow();
      // The worker role queues the command until it reaches a master again.
      await consumer.set('k', 'after');
      const workerBackMs = Date.now() - killedAt;
      await waitFor(
        () =>
          producer.set('k', 'producer-after').then(
            () => true,
            () => false,
          ),
        {
          timeoutMs: 30_000,
          intervalMs: 50,
          what: 'the producer to reach the new master',
        },
      );
      const producerBackMs = Date.now() - killedAt;
      const now = await setup.currentMaster();
      expect(now.port).not.toBe(old.port);
      expect(await servingPort(consumer)).toBe(now.port);
      expect(await consumer.call('ROLE')).toEqual(expect.arrayContaining(['master']));
      measured.push(
        `Sentinel failover (down-after 1000 ms): worker connection back ${workerBackMs} ms, producer ${producerBackMs} ms after SIGKILL`,
      );
      // Measured 2.5–4 s here (down-after-milliseconds 1000); the bound leaves room for a slow CI host.
      expect(workerBackMs).toBeLessThan(15_000);
      await old.start(); // comes back as a replica of the new master
      await setup.waitUntilHealthy();
      // …and healthy means synced: it counts for WAIT (REDIS_REPLICA_ACKS) from here on.
      await consumer.set('after-failover', '1');
      expect(await consumer.wait(1, 1000)).toBe(1);
    } finally {
      producer.disconnect();
      consumer.disconnect();
    }
  }, 60_000);
});

describe('Sentinel, a hung master', () => {
  let setup: TestRedisSentinel;
  beforeAll(async () => {
    setup = await startRedisSentinel({ replicas: 1, sentinels: 3 });
  }, 60_000);
  afterAll(() => setup.dispose());

  it('master SIGSTOPped: the Sentinels fail over and a pending write lands on the new master', async () => {
    const topology = env({
      REDIS_SENTINELS: setup.sentinelAddresses,
      REDIS_SENTINEL_NAME: setup.masterName,
    });
    const consumer = createRedisConnection(topology, { role: 'worker' });
    consumer.on('error', () => undefined);
    try {
      await ready(consumer);
      await waitFor(
        async () => (await consumer.info('replication')).includes('connected_slaves:1'),
        { what: 'the replica' },
      );
      const hung = await setup.currentMaster();
      const pausedAt = Date.now();
      hung.pause();
      // Sent to the frozen master: answered only once the connection moved to the new master.
      await consumer.set('hung-key', 'after');
      const backMs = Date.now() - pausedAt;
      const now = await setup.currentMaster();
      expect(now.port).not.toBe(hung.port);
      expect(await servingPort(consumer)).toBe(now.port);
      expect(await consumer.get('hung-key')).toBe('after');
      measured.push(
        `Sentinel, master SIGSTOPped: worker connection back ${backMs} ms after SIGSTOP`,
      );
      expect(backMs).toBeLessThan(15_000);
      hung.resume();
      await setup.waitUntilHealthy();
    } finally {
      consumer.disconnect();
    }
  }, 60_000);
});

describe('Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let topology: ClusterRedis;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    topology = env({
      REDIS_CLUSTER_NODES: cluster.seeds.split(',')[0]!,
      QUEUE_PREFIX: '{so}',
    }) as ClusterRedis;
  }, 60_000);
  afterAll(() => cluster.dispose());

  it('has 3 masters and 3 replicas', async () => {
    const view = await cluster.view();
    expect(view.filter((n) => n.role === 'master')).toHaveLength(3);
    expect(view.filter((n) => n.role === 'replica')).toHaveLength(3);
  });

  it('round trip over keys on every master, from one seed node; BullMQ with a hash-tag prefix', async () => {
    const createdAt = Date.now();
    const producer = createRedisClusterConnection(topology, { role: 'producer' });
    const consumer = createRedisClusterConnection(topology, { role: 'worker' });
    const queue = new Queue('topology-cluster', { connection: producer, prefix: '{so}' });
    let worker: Worker | undefined;
    try {
      await ready(producer);
      // From one seed node: 7–25 s while the producer ran ioredis's ready check (CI timed out
      // here), milliseconds without it.
      measured.push(`Cluster producer ready from one seed node: ${Date.now() - createdAt} ms`);
      const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
      for (const key of keys) await producer.set(key, key);
      expect(await Promise.all(keys.map((k) => consumer.get(k)))).toEqual(keys);
      const masterPorts = new Set((await cluster.masters()).map((m) => m.port));
      const used = new Set(producer.nodes('master').map((n) => n.options.port));
      expect(used).toEqual(masterPorts);
      const started = new Worker('topology-cluster', (job) => Promise.resolve(job.data), {
        connection: consumer,
        prefix: '{so}',
      });
      worker = started;
      // A worker that cannot run says why (CI once saw this test time out with no cause).
      const done = new Promise<unknown>((resolve, reject) => {
        started.on('completed', (job) => resolve(job.returnvalue));
        started.on('error', reject);
      });
      await started.waitUntilReady();
      await queue.add('x', { n: 2 });
      await expect(done).resolves.toEqual({ n: 2 });
    } finally {
      // Closed whatever happened: a worker left running keeps reconnecting after the cluster is
      // gone, and jest (in band) never exits.
      await worker?.close();
      await queue.close();
      producer.disconnect();
      consumer.disconnect();
    }
  });

  /** The port of the master serving `key`'s slot, as `redis` sees the cluster now. */
  async function ownerPort(redis: Cluster, key: string): Promise<number> {
    const slot = Number(await redis.cluster('KEYSLOT', key));
    const slots = await redis.cluster('SLOTS');
    const [, , owner] = slots.find(([from, to]) => slot >= from && slot <= to) ?? [];
    return owner?.[1] ?? 0;
  }

  it('a master SIGKILLed: its replica takes over and the worker connection follows', async () => {
    const consumer = createRedisClusterConnection(topology, { role: 'worker' });
    consumer.on('error', () => undefined);
    try {
      await ready(consumer);
      const key = 'failover-key';
      await consumer.set(key, 'before');
      const killed = await ownerPort(consumer, key);
      const killedAt = Date.now();
      await cluster.node(killed).kill();
      await consumer.set(key, 'after');
      const backMs = Date.now() - killedAt;
      expect(await consumer.get(key)).toBe('after');
      measured.push(
        `Cluster failover (cluster-node-timeout 1000 ms): worker connection back ${backMs} ms after SIGKILL`,
      );
      expect(backMs).toBeLessThan(15_000);
      await cluster.node(killed).start();
      await cluster.waitUntilHealthy();
    } finally {
      consumer.disconnect();
    }
  }, 60_000);

  it('a master hung (SIGSTOP): worker connections made during the hang reach its promoted replica before it wakes', async () => {
    const key = 'hung-key';
    const probe = createRedisClusterConnection(topology, { role: 'worker' });
    const clients: Cluster[] = [];
    let thaw: NodeJS.Timeout | undefined;
    try {
      await ready(probe);
      const hung = cluster.node(await ownerPort(probe, key));
      probe.disconnect();
      hung.pause();
      const pausedAt = Date.now();
      let thawed = false;
      thaw = setTimeout(() => {
        thawed = true;
        hung.resume();
      }, 30_000);
      // As BullMQ's blocking connection reconnects when a BZPOPMIN outlives its watchdog. With
      // ioredis's ready check, each sent CLUSTER INFO to a random master, the hung one with
      // probability 1/3, and stayed in 'connect' until it woke: with twelve, all twelve got
      // through in time in less than one run in a hundred.
      for (let i = 0; i < 12; i++) {
        const client = createRedisClusterConnection(topology, { role: 'worker' });
        client.on('error', () => undefined);
        clients.push(client);
      }
      await Promise.all(clients.map((c, i) => c.set(key, `client-${i}`)));
      const doneMs = Date.now() - pausedAt;
      measured.push(
        `Cluster, master SIGSTOPped: 12 worker connections made during the hang all wrote ${doneMs} ms after SIGSTOP`,
      );
      expect(thawed).toBe(false);
      expect(await ownerPort(clients[0]!, key)).not.toBe(hung.port);
    } finally {
      clearTimeout(thaw);
      for (const node of cluster.nodes) node.resume();
      await cluster.waitUntilHealthy();
      for (const c of clients) c.disconnect();
      probe.disconnect();
    }
  }, 60_000);
});
