import { Cluster } from 'ioredis';
import {
  askRedis,
  parseClusterNodes,
  slotRanges,
  startRedisCluster,
  topologyPicture,
  type TestRedisCluster,
} from '../src';

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

describe('topologyPicture', () => {
  const nodes = (lines: string[]) => parseClusterNodes(lines.join('\n'));
  const m1 = 'a1 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-8191';
  const m2 = 'b2 127.0.0.1:7002@17002 master - 0 0 2 connected 8192-16383';
  const r1 = 'c3 127.0.0.1:7003@17003 slave a1 0 0 1 connected';

  it('names every running node with its role and its master’s port', () => {
    expect(topologyPicture(nodes([m1, m2, r1]), [7003, 7001, 7002])).toBe(
      '7001:master: 7002:master: 7003:replica:7001',
    );
  });

  it('is undefined while the view misses a running node or flags one failing', () => {
    expect(topologyPicture(nodes([m1, m2]), [7001, 7002, 7003])).toBeUndefined();
    const failing = 'b2 127.0.0.1:7002@17002 master,fail? - 0 0 2 connected 8192-16383';
    expect(topologyPicture(nodes([m1, failing, r1]), [7001, 7002, 7003])).toBeUndefined();
  });

  it('ignores nodes that are not running (a SIGKILLed master)', () => {
    const dead = 'a1 127.0.0.1:7001@17001 master,fail - 0 0 1 disconnected';
    const promoted = 'c3 127.0.0.1:7003@17003 myself,master - 0 0 3 connected 0-8191';
    expect(topologyPicture(nodes([dead, m2, promoted]), [7002, 7003])).toBe(
      '7002:master: 7003:master:',
    );
  });

  it('tells apart two views that disagree on a replica', () => {
    const notYetReplica = 'c3 127.0.0.1:7003@17003 master - 0 0 0 connected';
    expect(topologyPicture(nodes([m1, m2, notYetReplica]), [7001, 7002, 7003])).not.toBe(
      topologyPicture(nodes([m1, m2, r1]), [7001, 7002, 7003]),
    );
  });
});

describe('startRedisCluster', () => {
  let cluster: TestRedisCluster | undefined;
  afterEach(async () => {
    await cluster?.dispose();
    cluster = undefined;
  });

  it('returns only once every node lists every replica under its master', async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, appendOnly: false });
    const ports = cluster.nodes.map((n) => n.port);
    const pictures = await Promise.all(
      ports.map(async (port) =>
        topologyPicture(
          parseClusterNodes(await askRedis(port, (r) => r.cluster('NODES') as Promise<string>)),
          ports,
        ),
      ),
    );
    expect(new Set(pictures).size).toBe(1);
    expect(pictures[0]?.match(/:replica:\d+/g)).toHaveLength(3);
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
