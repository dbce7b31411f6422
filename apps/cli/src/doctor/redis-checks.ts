import {
  redisConnectionFix,
  type RedisNodeReport,
  type RedisTopologyReport,
} from '@so-connector/queue';
import { fail, pass, warn, type CheckResult } from './check-result';
import { redisDurabilityChecks } from './checks';

/** BullMQ's minimum Redis version, and the one it recommends. */
export const REDIS_MIN_VERSION = '5.0.0';
export const REDIS_RECOMMENDED_VERSION = '6.2.0';

function versionParts(version: string): number[] {
  return version.split('.').map((part) => Number.parseInt(part, 10) || 0);
}

/** Negative when `a` is older than `b`. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** One node: role and version (BullMQ: FAIL below 5.0.0, WARN below 6.2.0), eviction policy, AOF. */
export function redisNodeChecks(
  node: RedisNodeReport,
  mode: RedisTopologyReport['mode'],
): CheckResult[] {
  const suffix = mode === 'single' ? '' : ` ${node.address}`;
  const name = `redis-version${suffix}`;
  if (node.error !== undefined)
    return [
      fail(
        `redis${suffix}`,
        `${node.address}: ${node.error}`,
        redisConnectionFix(node.error, mode),
      ),
    ];
  const role = node.role ?? 'role unknown';
  const version = node.version;
  const out: CheckResult[] = [];
  if (version === undefined)
    out.push(
      warn(
        name,
        `${role}; INFO did not report redis_version`,
        `make sure Redis is ${REDIS_RECOMMENDED_VERSION} or later`,
      ),
    );
  else if (compareVersions(version, REDIS_MIN_VERSION) < 0)
    out.push(
      fail(
        name,
        `${role}, Redis ${version}: BullMQ needs ${REDIS_MIN_VERSION} or later`,
        `upgrade Redis to ${REDIS_RECOMMENDED_VERSION} or later`,
      ),
    );
  else if (compareVersions(version, REDIS_RECOMMENDED_VERSION) < 0)
    out.push(
      warn(
        name,
        `${role}, Redis ${version}: BullMQ recommends ${REDIS_RECOMMENDED_VERSION} or later`,
        `upgrade Redis to ${REDIS_RECOMMENDED_VERSION} or later`,
      ),
    );
  else out.push(pass(name, `${role}, Redis ${version}`));
  const durability = redisDurabilityChecks({
    evictionPolicy: node.evictionPolicy,
    appendOnly: node.appendOnly,
    warnings: [],
  });
  return [...out, ...durability.map((check) => ({ ...check, check: `${check.check}${suffix}` }))];
}

function sentinelChecks(report: RedisTopologyReport): CheckResult[] {
  const sentinel = report.sentinel!;
  const answered = sentinel.sentinels.filter((s) => s.master !== undefined);
  const silent = sentinel.sentinels.filter((s) => s.master === undefined);
  const masters = new Set(answered.map((s) => s.master));
  const [master] = report.nodes;
  const replicas = report.nodes.length - 1;
  const out = [
    pass(
      'redis',
      `Sentinel: master ${sentinel.masterName} at ${master?.address ?? '?'}, ${replicas} replica(s); ${answered.length} of ${sentinel.sentinels.length} Sentinels answer`,
    ),
  ];
  if (silent.length > 0)
    out.push(
      warn(
        'redis-sentinels',
        silent.map((s) => `${s.address}: ${s.error ?? 'no answer'}`).join('; '),
        'check REDIS_SENTINELS and that every Sentinel runs',
      ),
    );
  if (masters.size > 1)
    out.push(
      fail(
        'redis-sentinels',
        `the Sentinels disagree on the master (${[...masters].join(', ')})`,
        'check that every Sentinel monitors the same master (a failover may be in progress: run doctor again)',
      ),
    );
  if (sentinel.quorum && !sentinel.quorum.ok)
    out.push(
      fail(
        'redis-quorum',
        sentinel.quorum.message,
        'run enough Sentinels for the quorum (3 or more, on different machines)',
      ),
    );
  else if (sentinel.quorum) out.push(pass('redis-quorum', sentinel.quorum.message));
  if (replicas === 0)
    out.push(
      warn(
        'redis-replicas',
        `master ${sentinel.masterName} has no replica: a failover has nowhere to go`,
        'add a replica',
      ),
    );
  return out;
}

function clusterChecks(report: RedisTopologyReport): CheckResult[] {
  const cluster = report.cluster!;
  const masters = report.nodes.filter((n) => n.role === 'master').length;
  const replicas = report.nodes.filter((n) => n.role === 'replica').length;
  const summary = `Cluster: ${masters} master(s), ${replicas} replica(s), cluster_state ${cluster.state ?? 'unknown'}, ${cluster.slotsAssigned ?? '?'} of 16384 slots assigned`;
  const out = [
    cluster.state === 'ok'
      ? pass('redis', summary)
      : fail(
          'redis',
          summary,
          'every slot must be served: check the failing nodes (redis-cli --cluster check)',
        ),
  ];
  if (cluster.failing.length > 0)
    out.push(
      warn(
        'redis-cluster',
        `nodes marked fail: ${cluster.failing.join(', ')}`,
        'restart them or forget them (CLUSTER FORGET)',
      ),
    );
  if (cluster.mastersWithoutReplica.length > 0)
    out.push(
      warn(
        'redis-replicas',
        `masters without a replica (no failover for their slots): ${cluster.mastersWithoutReplica.join(', ')}`,
        'add a replica to each master (redis-cli --cluster add-node --cluster-slave)',
      ),
    );
  return out;
}

/** `doctor`'s Redis lines: the topology, then each data node. */
export function redisTopologyChecks(report: RedisTopologyReport): CheckResult[] {
  if (report.error !== undefined) {
    return [fail('redis', report.error, redisConnectionFix(report.error, report.mode))];
  }
  const topology =
    report.mode === 'sentinel'
      ? sentinelChecks(report)
      : report.mode === 'cluster'
        ? clusterChecks(report)
        : report.nodes[0]?.error === undefined
          ? [pass('redis', `single node at ${report.nodes[0]?.address ?? '?'}`)]
          : [];
  return [...topology, ...report.nodes.flatMap((node) => redisNodeChecks(node, report.mode))];
}
