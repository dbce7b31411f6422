import { loadCliConfig, type ClusterRedis } from '@so-connector/config';
import { startRedisCluster, type TestRedisCluster } from '@so-connector/testing';
import { Redis, type Cluster } from 'ioredis';
import {
  BackfillProgressStore,
  closeRedis,
  createConnection,
  inspectRedisDurability,
  moveTenantKeys,
  tenantKeyPrefix,
} from '../src';
import { scanKeys } from '../src/scan-keys';
import { keySlot } from '../src/slot-owner';

// What a Redis Cluster answers per node (CONFIG, SCAN), asked of every node by the connector.
describe('per-node commands on a 3-master Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let topology: ClusterRedis;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    topology = loadCliConfig({
      SO_CONTEXT_IDENTIFIER: 'Cust1',
      REDIS_CLUSTER_NODES: cluster.seeds.split(',')[0]!,
      QUEUE_PREFIX: '{so}',
    }).redis as ClusterRedis;
  }, 60_000);
  afterAll(() => cluster.dispose());

  it('createConnection gives a Cluster, whose durability check asks every master', async () => {
    const redis = createConnection(topology, { role: 'worker' });
    try {
      expect(await inspectRedisDurability(redis)).toMatchObject({ warnings: [] });
      // One master without AOF is enough for a warning, whichever it is. The master is taken from
      // the connection's own slot map, which the check walks: the harness's view (CLUSTER NODES of
      // one node) can name another set of masters for a moment (a failover under load, gossip).
      const masters = (redis as Cluster).nodes('master');
      const port = masters[masters.length - 1]!.options.port!;
      const node = new Redis({ host: '127.0.0.1', port });
      await node.config('SET', 'appendonly', 'no');
      try {
        const report = await inspectRedisDurability(redis);
        expect(report.appendOnly).toBe(false);
        expect(report.warnings).toEqual([expect.stringContaining('appendonly is off')]);
      } finally {
        await node.config('SET', 'appendonly', 'yes');
        await closeRedis(node);
      }
    } finally {
      await closeRedis(redis);
    }
  });

  it("SCAN finds a tag's keys on whichever master holds its slot; the backfill list too", async () => {
    const redis = createConnection(topology, { role: 'producer' });
    try {
      // A producer fails fast (no offline queue) until the cluster is ready.
      await new Promise((resolve) => redis.once('ready', resolve));
      const tags = [...'abcdefghijkl'].map((letter) => `{${letter}}`);
      for (const tag of tags) await redis.set(`${tag}:scan-me`, '1');
      for (const tag of tags)
        expect(await scanKeys(redis, `${tag}:scan-*`)).toEqual([`${tag}:scan-me`]);
      // The tags' slots are spread over all three masters, so one node's SCAN would miss some.
      const slots = await Promise.all(
        tags.map((tag) => redis.cluster('KEYSLOT', `${tag}:scan-me`)),
      );
      const cluster_ = redis as unknown as { slots: string[][] };
      expect(new Set(slots.map((slot) => cluster_.slots[Number(slot)]?.[0])).size).toBe(3);

      const store = new BackfillProgressStore(redis, '{so}');
      const now = new Date().toISOString();
      for (const runId of ['run1', 'run2'])
        await store.write('Cust1', {
          runId,
          status: 'completed',
          matched: 1,
          current: 0,
          toEnrich: 1,
          providerCalls: 1,
          superOfficeCalls: 1,
          enqueued: 1,
          done: 1,
          cursor: { contact: 1, person: 0 },
          startedAt: now,
          updatedAt: now,
        });
      expect((await store.list('Cust1', 10)).map((run) => run.runId).sort()).toEqual([
        'run1',
        'run2',
      ]);
    } finally {
      await closeRedis(redis);
    }
  });

  it("moves each tenant's keys into its partition's slot, across masters (DUMP/RESTORE, not RENAME)", async () => {
    const redis = createConnection(topology, { role: 'worker' });
    try {
      await new Promise((resolve) => redis.once('ready', resolve));
      const prefix = '{mv}';
      const tenants = ['Cust1001', 'Cust1002', 'Cust1003', 'Cust1004', 'Cust1005', 'Cust1006'];
      for (const t of tenants) {
        await redis.set(`${prefix}:enriched:${t}:contact:2`, t, 'PX', 600_000);
        await redis.zadd(`${prefix}:runs:${t}:accounts`, 1, 'account-2');
      }
      const { moved } = await moveTenantKeys(redis, prefix, 1, 8);
      expect(moved).toBe(2 * 5);
      const at = tenantKeyPrefix(prefix, 8);
      const cluster_ = redis as unknown as { slots: string[][] };
      const masters = new Set<string>();
      for (const t of tenants) {
        expect(await redis.get(`${at(t)}:enriched:${t}:contact:2`)).toBe(t);
        expect(await redis.pttl(`${at(t)}:enriched:${t}:contact:2`)).toBeGreaterThan(590_000);
        expect(await redis.zrange(`${at(t)}:runs:${t}:accounts`, 0, -1)).toEqual(['account-2']);
        if (at(t) !== prefix)
          expect(await redis.exists(`${prefix}:enriched:${t}:contact:2`)).toBe(0);
        masters.add(cluster_.slots[keySlot(at(t))]![0]!);
      }
      // The six tenants' keys now sit on more than one master.
      expect(masters.size).toBeGreaterThan(1);
    } finally {
      await closeRedis(redis);
    }
  });

  // Last in this file: it freezes a master. A frozen (or cut off) master keeps its sockets open,
  // so ioredis keeps it in the pool: a SCAN sent to it answers nothing, and the receiver's command
  // timeout (REDIS_TIMEOUT_MS) fails it. A killed master is dropped from the pool at once.
  it("with another master frozen, SCAN of a tag's pattern asks only the tag's master and succeeds", async () => {
    let frozen: ReturnType<TestRedisCluster['node']> | undefined;
    const redis = createConnection(topology, { role: 'producer', commandTimeoutMs: 1000 });
    try {
      await new Promise((resolve) => redis.once('ready', resolve));
      const cluster_ = redis as unknown as { slots: string[][] };
      const tag = '{so}';
      await redis.set(`${tag}:down-scan`, '1');
      const owner = cluster_.slots[keySlot(tag)]![0]!;
      // A master in the connection's own slot map (which the scan walks), not the tag's.
      const other = (redis as Cluster)
        .nodes('master')
        .find((m) => `127.0.0.1:${m.options.port}` !== owner)!;
      frozen = cluster.node(other.options.port!);
      frozen.pause();
      expect(await scanKeys(redis, `${tag}:down-*`)).toEqual([`${tag}:down-scan`]);
      // A pattern without a tag still needs every master, so the frozen one fails it.
      await expect(scanKeys(redis, '*:down-*')).rejects.toThrow('Command timed out');
    } finally {
      frozen?.resume();
      await closeRedis(redis);
    }
  });
});
