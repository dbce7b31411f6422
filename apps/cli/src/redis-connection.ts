import type { RedisTopology } from '@so-connector/config';
import { ReplyError } from 'ioredis';
import { createConnection, type RedisConnection } from '@so-connector/queue';
import { CliError, EXIT } from './errors';

/** How long the CLI waits for Redis to answer (connecting, and each PING of the watch). */
export const REDIS_ANSWER_WITHIN_MS = 5000;
/** How often a running command's connection is PINGed (watchRedis). */
const WATCH_EVERY_MS = 1000;

/** Redis host and port (or the Sentinels / cluster seeds), never the password a URL may carry. */
export function redisLocation(target: string | RedisTopology): string {
  if (typeof target !== 'string' && target.mode !== 'single') {
    const nodes = target.mode === 'sentinel' ? target.sentinels : target.nodes;
    const list = nodes.map((n) => `${n.host}:${n.port}`).join(',');
    return target.mode === 'sentinel'
      ? `master ${target.masterName} of the Sentinels ${list}`
      : `the cluster ${list}`;
  }
  const url = typeof target === 'string' ? target : target.url;
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'the configured Redis';
  }
}

/** The variables that say where Redis is, for the message of a Redis that does not answer. */
function variablesOf(topology: RedisTopology): string {
  if (topology.mode === 'sentinel') return 'REDIS_SENTINELS and REDIS_SENTINEL_NAME';
  return topology.mode === 'cluster' ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL';
}

/** The last connection error ioredis reported, if any (its message names no password). */
function errorsOf(redis: RedisConnection): () => string {
  let last: Error | undefined;
  redis.on('error', (error: Error) => {
    last = error;
  });
  return () => (last ? ` (${last.message})` : '');
}

/**
 * Connects with the worker role (BullMQ's QueueEvents needs `maxRetriesPerRequest: null`) but
 * gives up after `timeoutMs`: an operator wants "Redis is down", not a command that hangs. A
 * Redis Cluster (REDIS_CLUSTER_NODES) is a `Cluster`: every key the commands touch carries
 * QUEUE_PREFIX's hash tag, so they run there as in the receiver and the worker.
 */
export async function connectRedis(
  topology: RedisTopology,
  timeoutMs: number,
): Promise<RedisConnection> {
  const redis = createConnection(topology, {
    role: 'worker',
    connectionName: 'so-connector:cli',
  });
  const lastError = errorsOf(redis);
  const ready = await new Promise<boolean>((resolve) => {
    if (redis.status === 'ready') return resolve(true);
    const timer = setTimeout(() => resolve(false), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (ready) return redis;
  redis.disconnect();
  throw new CliError(
    `Redis at ${redisLocation(topology)} did not answer within ${timeoutMs} ms${lastError()}; check ${variablesOf(topology)} and that Redis runs`,
    EXIT.redis,
  );
}

export interface RedisWatch {
  /**
   * Rejects with a CliError (EXIT.redis) once a PING has gone unanswered for the watch's time;
   * never resolves. Already handled: an unawaited rejection is not reported.
   */
  readonly lost: Promise<never>;
  /** True once `lost` has rejected: the connection cannot be closed politely (QUIT would wait). */
  readonly isLost: () => boolean;
  stop(): void;
}

/**
 * PINGs a command's connection every second while the command runs. The connection waits for ever
 * for a Redis that went away (the worker role retries every command until Redis is back), so
 * without the watch a command whose Redis died or froze (SIGSTOP, a lost network) mid-way would
 * hang; with it, the command ends with exit code 4 within `timeoutMs` of the last answer.
 */
export function watchRedis(
  redis: RedisConnection,
  topology: RedisTopology,
  timeoutMs: number,
  everyMs = WATCH_EVERY_MS,
): RedisWatch {
  const lastError = errorsOf(redis);
  let lost = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let fail: (error: CliError) => void = () => undefined;
  const promise = new Promise<never>((_, reject) => {
    fail = reject;
  });
  promise.catch(() => undefined);
  const beat = () => {
    if (stopped) return;
    const deadline = setTimeout(() => {
      if (stopped) return;
      lost = true;
      stopped = true;
      fail(
        new CliError(
          `Redis at ${redisLocation(topology)} stopped answering: no reply within ${timeoutMs} ms${lastError()}; check ${variablesOf(topology)} and that Redis runs`,
          EXIT.redis,
        ),
      );
    }, timeoutMs);
    deadline.unref();
    const answered = () => {
      clearTimeout(deadline);
      if (!stopped) schedule();
    };
    // An error reply is an answer too (Redis is there); a closed connection is not.
    redis.ping().then(answered, (error: unknown) => {
      if (error instanceof ReplyError) answered();
    });
  };
  const schedule = () => {
    timer = setTimeout(beat, everyMs);
    timer.unref();
  };
  schedule();
  return {
    lost: promise,
    isLost: () => lost,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
