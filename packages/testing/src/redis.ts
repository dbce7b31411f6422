import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import {
  HOW_TO_GET_REDIS,
  pingable,
  redisServerOnPath,
  startRedisProcess,
  type RedisProcess,
} from './redis-process';
import type { TestCertificates } from './tls-certificates';

export type { RedisProcess, RedisServer } from './redis-process';

export interface TestRedis {
  /** URL of the Redis server to use. */
  readonly url: string;
  /** A queue/key prefix unique to this test file; every key the test makes starts with it. */
  readonly prefix: string;
  /** Deletes this file's keys and stops whatever this helper started. */
  cleanup(): Promise<void>;
}

export interface RedisServerOptions {
  /** `appendonly yes` with `appendfsync everysec` (or the given policy). */
  readonly appendOnly?: false | 'everysec' | 'always';
  /** Keep data in this directory (to restart on the same data); a temp dir by default. */
  readonly dir?: string;
  readonly port?: number;
  /** Serve TLS only (`rediss://127.0.0.1:<port>`), with these files (see `makeTestCertificates`). */
  readonly tls?: TestCertificates;
  /** More `redis-server` arguments (e.g. `--cluster-enabled yes`). */
  readonly extraArgs?: readonly string[];
  /** An ACL user besides `default` (which stays open to the harness), as a managed Redis has one. */
  readonly aclUser?: AclUser;
}

/** An ACL user with every command on every key and channel (docs/deploy.md's rule). */
export interface AclUser {
  readonly name: string;
  readonly password: string;
}

/** `redis-server` arguments that define `user` (a config line on the command line, kept on restart). */
export function aclUserArgs(user: AclUser | undefined): string[] {
  return user ? ['--user', user.name, 'on', `>${user.password}`, '~*', '&*', '+@all'] : [];
}

/** Starts a private `redis-server` on a free port (for tests that stop or kill Redis). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisProcess> {
  const tls = options.tls;
  return startRedisProcess({
    port: options.port,
    dir: options.dir,
    tls: tls ? { ca: readFileSync(tls.caFile, 'utf8') } : undefined,
    url: (port) => `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    args: (port, dir) => [
      ...(tls
        ? [
            '--port',
            '0',
            '--tls-port',
            String(port),
            '--tls-cert-file',
            tls.certFile,
            '--tls-key-file',
            tls.keyFile,
            '--tls-ca-cert-file',
            tls.caFile,
            '--tls-auth-clients',
            'no',
          ]
        : ['--port', String(port)]),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      // A replica's full sync starts at once instead of after Redis's default 5 s wait for more
      // replicas to share the transfer: every Cluster or Sentinel start and resync is 5 s shorter.
      '--repl-diskless-sync-delay',
      '0',
      '--appendonly',
      options.appendOnly ? 'yes' : 'no',
      ...(options.appendOnly ? ['--appendfsync', options.appendOnly] : []),
      ...aclUserArgs(options.aclUser),
      ...(options.extraArgs ?? []),
    ],
  });
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function dockerAvailable(): boolean {
  return process.env.DOCKER_HOST !== undefined || existsSync('/var/run/docker.sock');
}

/**
 * An isolated real Redis for one test file, found in this order:
 * 1. the server at `REDIS_URL`, with a key prefix of this file's own;
 * 2. a `redis-server` spawned on a free port with a temp dir;
 * 3. a `@testcontainers/redis` container when a Docker engine is available.
 * With none of the three the suite fails at once with one line saying how to get Redis.
 */
export async function useTestRedis(): Promise<TestRedis> {
  const prefix = `test-${randomBytes(5).toString('hex')}`;
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!(await pingable(fromEnv)))
      throw new Error(`REDIS_URL=${fromEnv.replace(/:[^@/]*@/, ':***@')} does not answer PING`);
    return { url: fromEnv, prefix, cleanup: () => deleteKeys(fromEnv, prefix) };
  }
  if (redisServerOnPath()) {
    const server = await startRedisServer();
    return { url: server.url, prefix, cleanup: () => server.dispose() };
  }
  if (dockerAvailable()) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7').start();
    return {
      url: container.getConnectionUrl(),
      prefix,
      cleanup: async () => void (await container.stop()),
    };
  }
  throw new Error(HOW_TO_GET_REDIS);
}
