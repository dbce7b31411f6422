import type { RedisNodeReport, RedisTopologyReport } from './inspect-topology';
import { redisConnectionFix, redisProblem } from './redis-problem';

const node = (address: string, error?: string): RedisNodeReport => ({
  address,
  role: error === undefined ? 'master' : undefined,
  version: error === undefined ? '7.0.15' : undefined,
  evictionPolicy: error === undefined ? 'noeviction' : undefined,
  appendOnly: error === undefined ? true : undefined,
  error,
});

describe('redisProblem', () => {
  it('is undefined when every data node answered', () => {
    const report: RedisTopologyReport = {
      mode: 'cluster',
      nodes: [node('127.0.0.1:7000'), node('127.0.0.1:7001')],
    };
    expect(redisProblem(report)).toBeUndefined();
  });

  it('names REDIS_SENTINEL_NAME when no Sentinel knows the master', () => {
    const error = 'no Sentinel knows a master named nope (REDIS_SENTINEL_NAME)';
    expect(redisProblem({ mode: 'sentinel', nodes: [], error })).toBe(
      `${error}; set REDIS_SENTINEL_NAME to the name in the Sentinels’ "sentinel monitor <name> …"`,
    );
  });

  it('names the first node that did not answer and the variable of the topology', () => {
    const report: RedisTopologyReport = {
      mode: 'cluster',
      nodes: [
        node('127.0.0.1:7000'),
        node('127.0.0.1:7001', 'connect ECONNREFUSED 127.0.0.1:7001'),
      ],
    };
    expect(redisProblem(report)).toBe(
      '127.0.0.1:7001: connect ECONNREFUSED 127.0.0.1:7001; check REDIS_CLUSTER_NODES and that Redis runs and is reachable from here',
    );
  });

  it('a certificate error points at REDIS_TLS_CA_FILE, a refused password at the credentials', () => {
    const tls = redisProblem({
      mode: 'single',
      nodes: [node('127.0.0.1:6380', 'self-signed certificate in certificate chain')],
    });
    expect(tls).toMatch(/; set REDIS_TLS_CA_FILE to the CA/);
    const auth = redisProblem({
      mode: 'single',
      nodes: [node('127.0.0.1:6380', 'WRONGPASS invalid username-password pair')],
    });
    expect(auth).toMatch(/; check the user:password in REDIS_URL/);
  });
});

describe('redisConnectionFix', () => {
  it('names the node-list variable of each topology for an unreachable node', () => {
    const refused = 'connect ECONNREFUSED 127.0.0.1:1';
    expect(redisConnectionFix(refused, 'single')).toMatch(/^check REDIS_URL /);
    expect(redisConnectionFix(refused, 'sentinel')).toMatch(/^check REDIS_SENTINELS /);
    expect(redisConnectionFix(refused, 'cluster')).toMatch(/^check REDIS_CLUSTER_NODES /);
  });

  it('credentials beyond a single node are REDIS_USERNAME and REDIS_PASSWORD; NOPERM asks for +info', () => {
    expect(redisConnectionFix('NOAUTH Authentication required.', 'cluster')).toBe(
      'check REDIS_USERNAME and REDIS_PASSWORD',
    );
    expect(
      redisConnectionFix("NOPERM this user has no permissions to run the 'info' command", 'single'),
    ).toMatch(/\+info/);
  });
});
