import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, isIP, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

export const HOW_TO_GET_REDIS =
  'no Redis for the tests: set REDIS_URL, install redis-server (apt-get install redis-server), or run a Docker engine';

/** A `redis-server` child process owned by a test: it may be stopped, killed and restarted. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` (`rediss://` for a TLS server). */
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

/** A server this helper started, which knows whether its process runs. */
export interface RedisProcess extends RedisServer {
  /** True while the process runs (paused or not). */
  readonly running: boolean;
}

export function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** TLS client settings of `pingable` for a `rediss://` URL: the CA to trust. */
export interface PingTls {
  readonly ca: string;
}

/** True when a Redis at `url` answers PING (raw RESP over a socket: nothing is left running). */
export function pingable(url: string, tls?: PingTls): Promise<boolean> {
  const { hostname, port, password, username, protocol } = new URL(url);
  return new Promise((resolve) => {
    const options = { host: hostname, port: Number(port || 6379) };
    const secure = protocol === 'rediss:';
    const socket: Socket = secure
      ? tlsConnect({ ...options, ca: tls?.ca, ...(isIP(hostname) ? {} : { servername: hostname }) })
      : connect(options);
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once(secure ? 'secureConnect' : 'connect', () => {
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

export interface RedisProcessSpec {
  readonly port?: number | undefined;
  /** Keep data in this directory (to restart on the same data); a temp dir by default. */
  readonly dir?: string | undefined;
  /** `redis-server`'s arguments for this port and directory. */
  readonly args: (port: number, dir: string) => readonly string[];
  /** The URL to PING until it answers (`redis://127.0.0.1:<port>` by default). */
  readonly url?: (port: number) => string;
  readonly tls?: PingTls | undefined;
}

/** Starts a `redis-server` (a data node or a Sentinel) on a free port; ready once it answers PING. */
export async function startRedisProcess(spec: RedisProcessSpec): Promise<RedisProcess> {
  if (!redisServerOnPath()) throw new Error(HOW_TO_GET_REDIS);
  const port = spec.port ?? (await freePort());
  const ownDir = spec.dir === undefined;
  const dir = spec.dir ?? mkdtempSync(join(tmpdir(), 'so-redis-'));
  const url = spec.url?.(port) ?? `redis://127.0.0.1:${port}`;
  const args = spec.args(port, dir);
  let child: ChildProcess | undefined;
  // A process killed by a signal has exitCode null and signalCode set.
  const alive = (proc: ChildProcess | undefined): proc is ChildProcess =>
    proc !== undefined && proc.exitCode === null && proc.signalCode === null;

  const server: RedisProcess = {
    url,
    port,
    dir,
    get running() {
      return alive(child);
    },
    async start() {
      if (alive(child)) return;
      child = spawn('redis-server', args, { stdio: 'ignore' });
      await waitFor(() => pingable(url, spec.tls), {
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

/** One short-lived connection to a loopback node (no retries): for a harness's own questions. */
export async function askRedis<T>(port: number, call: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await call(redis);
  } finally {
    if (redis.status !== 'end') redis.disconnect(); // an ended one would hold the process 2 s
  }
}
