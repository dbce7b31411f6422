import { Cluster } from 'ioredis';
import { askRedis, slotRanges, startRedisCluster, type TestRedisCluster } from '../src';

/** [first, last] slot ranges each master serves, in slot order, from CLUSTER SLOTS. */
async function servedRanges(cluster: TestRedisCluster): Promise<[number, number][]> {
  const slots = (await askRedis(cluster.nodes[0]!.port, (r) => r.cluster('SLOTS'))) as [
    number,
    number,
    ...unknown[],
  ][];
  return slots.map(([first, last]): [number, number] => [first, last]).sort((a, b) => a[0] - b[0]);
}

describe('slotRanges', () => {
  it('splits the 16384 slots without gaps, as redis-cli rounds them', () => {
    expect(slotRanges(1)).toEqual([[0, 16383]]);
    expect(slotRanges(2)).toEqual([
      [0, 8191],
      [8192, 16383],
    ]);
    expect(slotRanges(3)).toEqual([
      [0, 5460],
      [5461, 10922],
      [10923, 16383],
    ]);
    expect(() => slotRanges(0)).toThrow(RangeError);
  });
});

describe('startRedisCluster', () => {
  let cluster: TestRedisCluster | undefined;
  afterEach(async () => {
    await cluster?.dispose();
    cluster = undefined;
  });

  it('forms a 3-master cluster with redis-cli, whose split slotRanges reproduces', async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0, appendOnly: false });
    expect(await servedRanges(cluster)).toEqual(slotRanges(3));
  });

  it('forms a 1-master cluster by hand (redis-cli refuses fewer than 3 masters)', async () => {
    cluster = await startRedisCluster({ masters: 1, replicasPerMaster: 0, appendOnly: false });
    expect(await servedRanges(cluster)).toEqual([[0, 16383]]);
    const port = cluster.nodes[0]!.port;
    expect(await askRedis(port, (r) => r.cluster('INFO'))).toContain('cluster_state:ok');
    // The address a client is sent to: a lone node that was never met would announce "".
    const slots = await askRedis(port, (r) => r.cluster('SLOTS'));
    expect(slots[0]?.[2]?.slice(0, 2)).toEqual(['127.0.0.1', port]);
    const client = new Cluster([{ host: '127.0.0.1', port }]);
    try {
      await client.set('{k}a', '1');
      expect(await client.get('{k}a')).toBe('1');
    } finally {
      client.disconnect();
    }
  });

  it('forms 2 masters with a replica each by hand, every node seeing the same cluster', async () => {
    cluster = await startRedisCluster({ masters: 2, replicasPerMaster: 1, appendOnly: false });
    expect(await servedRanges(cluster)).toEqual(slotRanges(2));
    const view = await cluster.view();
    const masters = view.filter((n) => n.role === 'master');
    const replicas = view.filter((n) => n.role === 'replica');
    expect(masters).toHaveLength(2);
    expect(replicas.map((r) => r.masterId).sort()).toEqual(masters.map((m) => m.id).sort());
    expect((await cluster.masters()).map((m) => m.port).sort()).toEqual(
      cluster.nodes
        .slice(0, 2)
        .map((n) => n.port)
        .sort(),
    );
  });
});
