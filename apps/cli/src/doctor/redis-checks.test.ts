import type { RedisNodeReport, RedisTopologyReport } from '@so-connector/queue';
import { compareVersions, redisNodeChecks, redisTopologyChecks } from './redis-checks';

const node = (over: Partial<RedisNodeReport> = {}): RedisNodeReport => ({
  address: '10.0.0.1:6379',
  role: 'master',
  version: '7.2.4',
  evictionPolicy: 'noeviction',
  appendOnly: true,
  error: undefined,
  ...over,
});
const statuses = (checks: { check: string; status: string }[]) =>
  checks.map((c) => `${c.status} ${c.check}`);

describe('compareVersions', () => {
  it.each([
    ['5.0.0', '5.0.0', 0],
    ['4.0.14', '5.0.0', -1],
    ['6.0.20', '6.2.0', -1],
    ['6.2.0', '6.2.0', 0],
    ['7.0.15', '6.2.0', 1],
    ['10.0.0', '6.2.0', 1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});

describe('redisNodeChecks', () => {
  it.each([
    ['4.0.14', 'FAIL', 'BullMQ needs 5.0.0 or later'],
    ['5.0.7', 'WARN', 'BullMQ recommends 6.2.0 or later'],
    ['6.0.16', 'WARN', 'BullMQ recommends 6.2.0 or later'],
    ['6.2.0', 'PASS', 'master, Redis 6.2.0'],
    ['7.0.15', 'PASS', 'master, Redis 7.0.15'],
  ])('Redis %s → %s', (version, status, detail) => {
    const [check] = redisNodeChecks(node({ version }), 'single');
    expect(check).toMatchObject({
      check: 'redis-version',
      status,
      detail: expect.stringContaining(detail),
    });
  });

  it('names each check after the node beyond a single node; eviction and AOF as before', () => {
    expect(
      statuses(
        redisNodeChecks(
          node({ role: 'replica', evictionPolicy: 'allkeys-lru', appendOnly: false }),
          'cluster',
        ),
      ),
    ).toEqual([
      'PASS redis-version 10.0.0.1:6379',
      'FAIL redis-eviction 10.0.0.1:6379',
      'FAIL redis-aof 10.0.0.1:6379',
    ]);
  });

  it('unknown version and settings (INFO refused) are warnings', () => {
    expect(
      statuses(
        redisNodeChecks(
          node({ version: undefined, evictionPolicy: undefined, appendOnly: undefined }),
          'single',
        ),
      ),
    ).toEqual(['WARN redis-version', 'WARN redis-eviction', 'WARN redis-aof']);
  });

  it.each([
    ['self-signed certificate in certificate chain', 'REDIS_TLS_CA_FILE'],
    [
      'WRONGPASS invalid username-password pair or user is disabled.',
      'REDIS_USERNAME and REDIS_PASSWORD',
    ],
    ['connect ECONNREFUSED 10.0.0.1:6379', 'check REDIS_CLUSTER_NODES'],
  ])('a node that cannot be asked (%s) fails with the variable to fix', (error, fix) => {
    expect(redisNodeChecks(node({ error }), 'cluster')).toEqual([
      {
        check: 'redis 10.0.0.1:6379',
        status: 'FAIL',
        detail: `10.0.0.1:6379: ${error}`,
        fix: expect.stringContaining(fix),
      },
    ]);
  });
});

const sentinelReport = (over: Partial<RedisTopologyReport> = {}): RedisTopologyReport => ({
  mode: 'sentinel',
  nodes: [node(), node({ address: '10.0.0.2:6379', role: 'replica' })],
  sentinel: {
    masterName: 'mymaster',
    sentinels: [
      { address: 's1:26379', master: '10.0.0.1:6379' },
      { address: 's2:26379', master: '10.0.0.1:6379' },
      { address: 's3:26379', error: 'connect ECONNREFUSED' },
    ],
    quorum: {
      ok: true,
      message: 'OK 2 usable Sentinels. Quorum and failover authorization can be reached',
    },
  },
  ...over,
});

describe('redisTopologyChecks', () => {
  it('single node: where, then its checks', () => {
    expect(statuses(redisTopologyChecks({ mode: 'single', nodes: [node()] }))).toEqual([
      'PASS redis',
      'PASS redis-version',
      'PASS redis-eviction',
      'PASS redis-aof',
    ]);
  });

  it('Sentinel: master, replicas, Sentinels that answer, quorum; a silent Sentinel warns', () => {
    const checks = redisTopologyChecks(sentinelReport());
    expect(checks[0]?.detail).toBe(
      'Sentinel: master mymaster at 10.0.0.1:6379, 1 replica(s); 2 of 3 Sentinels answer',
    );
    expect(statuses(checks).slice(0, 3)).toEqual([
      'PASS redis',
      'WARN redis-sentinels',
      'PASS redis-quorum',
    ]);
    expect(checks).toHaveLength(3 + 2 * 3);
  });

  it('Sentinel: no quorum, disagreeing Sentinels and no replica are named', () => {
    const base = sentinelReport();
    const checks = redisTopologyChecks({
      ...base,
      nodes: [node()],
      sentinel: {
        ...base.sentinel!,
        sentinels: [
          { address: 's1:26379', master: '10.0.0.1:6379' },
          { address: 's2:26379', master: '10.0.0.9:6379' },
        ],
        quorum: {
          ok: false,
          message:
            'NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum',
        },
      },
    });
    expect(statuses(checks).slice(0, 4)).toEqual([
      'PASS redis',
      'FAIL redis-sentinels',
      'FAIL redis-quorum',
      'WARN redis-replicas',
    ]);
  });

  it('Sentinel name unknown → one FAIL naming REDIS_SENTINEL_NAME', () => {
    expect(
      redisTopologyChecks({
        mode: 'sentinel',
        nodes: [],
        error: 'no Sentinel knows a master named x (REDIS_SENTINEL_NAME)',
      }),
    ).toEqual([
      {
        check: 'redis',
        status: 'FAIL',
        detail: 'no Sentinel knows a master named x (REDIS_SENTINEL_NAME)',
        fix: expect.stringContaining('set REDIS_SENTINEL_NAME'),
      },
    ]);
  });

  it('Cluster: state and slots; a down cluster fails, masters without replica warn', () => {
    const report: RedisTopologyReport = {
      mode: 'cluster',
      nodes: [node()],
      cluster: {
        state: 'fail',
        slotsAssigned: 10923,
        mastersWithoutReplica: ['10.0.0.1:6379'],
        failing: ['10.0.0.3:6379'],
      },
    };
    const checks = redisTopologyChecks(report);
    expect(checks[0]).toMatchObject({
      status: 'FAIL',
      detail:
        'Cluster: 1 master(s), 0 replica(s), cluster_state fail, 10923 of 16384 slots assigned',
    });
    expect(statuses(checks).slice(1, 3)).toEqual(['WARN redis-cluster', 'WARN redis-replicas']);
  });
});
