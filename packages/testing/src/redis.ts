import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

const HOW_TO_GET_REDIS =
  'no Redis for the tests: set REDIS_URL, install redis-server (apt-get install redis-server), or run a Docker engine';

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
}

/** A `redis-server` child process owned by a test: it may be stopped, killed and restarted. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Starts (again) on the same port and directory. */
  start(): Promise<void>;
  /** SHUTDOWN-free hard stop (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open but nothing answers. */
  pause(): void;
  /** Lets a paused server run again (SIGCONT). */
  resume(): void;
  /** Stops and removes the data directory (unless it was given). */
  dispose(): Promise<void>;
}

function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** True when a Redis at `url` answers PING (raw RESP over a socket: nothing is left running). */
function pingable(url: string): Promise<boolean> {
  const { hostname, port, password, username } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => {
      const auth = password
        ? `AUTH ${username ? `${decodeURIComponent(username)} ` : ''}${decodeURIComponent(password)}\r\n`
        : '';
      socket.write(`${auth}PING\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (reply.includes('+PONG')) done(true);
      else if (reply.includes('-')) done(false);
    });
  });
}

/** Starts a private `redis-server` on a free port (for tests that stop or kill Redis). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!redisServerOnPath()) throw new Error(HOW_TO_GET_REDIS);
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'so-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  // A process killed by a signal has exitCode null and signalCode set.
  const alive = (proc: ChildProcess | undefined): proc is ChildProcess =>
    proc !== undefined && proc.exitCode === null && proc.signalCode === null;

  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--appendonly',
    options.appendOnly ? 'yes' : 'no',
    ...(options.appendOnly ? ['--appendfsync', options.appendOnly] : []),
  ];

  const server: RedisServer = {
    url,
    port,
    dir,
    async start() {
      if (alive(child)) return;
      child = spawn('redis-server', args, { stdio: 'ignore' });
      await waitFor(() => pingable(url), {
        timeoutMs: 10_000,
        what: `redis-server on port ${port}`,
      });
    },
    async kill() {
      const running = child;
      if (!alive(running)) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGKILL');
      await exited;
    },
    pause() {
      if (alive(child)) child.kill('SIGSTOP');
    },
    resume() {
      if (alive(child)) child.kill('SIGCONT');
    },
    async dispose() {
      server.resume();
      await server.kill();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
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
