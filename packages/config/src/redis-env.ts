import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { booleanFlag, integer, optionalString, redisUrl } from './parsers';
import type { RedisNodeAddress, RedisTopology } from './redis-types';

function blankAsUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

const NODE_LIST_EXPECTED =
  'expected host:port pairs separated by commas, e.g. 10.0.0.1:6379,10.0.0.2:6379';

/** `host:port`, `[ipv6]:port`; undefined when malformed. */
export function parseNodeAddress(item: string): RedisNodeAddress | undefined {
  const match =
    /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)):(\d{1,5})$/.exec(item);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? match[2])!, port };
}

/** REDIS_SENTINELS / REDIS_CLUSTER_NODES: optional; when set, at least one valid, distinct host:port. */
export function nodeList() {
  return z.preprocess(
    blankAsUndefined,
    z
      .string()
      .optional()
      .transform((value, ctx): readonly RedisNodeAddress[] | undefined => {
        if (value === undefined) return undefined;
        const items = value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0);
        const nodes: RedisNodeAddress[] = [];
        for (const item of items) {
          const node = parseNodeAddress(item);
          if (!node) {
            ctx.addIssue({ code: 'custom', message: `${NODE_LIST_EXPECTED} (bad item "${item}")` });
            return z.NEVER;
          }
          if (nodes.some((n) => n.host === node.host && n.port === node.port)) {
            ctx.addIssue({ code: 'custom', message: `lists ${item} twice` });
            return z.NEVER;
          }
          nodes.push(node);
        }
        if (nodes.length === 0) {
          ctx.addIssue({ code: 'custom', message: NODE_LIST_EXPECTED });
          return z.NEVER;
        }
        return nodes;
      }),
  );
}

/** Why the file cannot serve as the CA of Redis's TLS certificates, or undefined when it can. */
export function tlsCaFileProblem(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return `cannot be read (${code}): expected the path of a PEM file with the CA certificate(s) of Redis's TLS`;
  }
  try {
    new X509Certificate(text);
    return undefined;
  } catch {
    return 'holds no PEM certificate ("BEGIN CERTIFICATE"): expected the CA certificate(s) of Redis\'s TLS';
  }
}

/** The Redis variables every process shares (docs/configuration.md). */
export const redisShape = {
  REDIS_URL: redisUrl('redis://127.0.0.1:6379'),
  /** Sentinel mode: the Sentinels, and the name of the master they monitor. */
  REDIS_SENTINELS: nodeList(),
  REDIS_SENTINEL_NAME: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]+$/, {
        error: 'expected the master name of "sentinel monitor", e.g. mymaster',
      })
      .optional(),
  ),
  REDIS_SENTINEL_PASSWORD: optionalString(),
  /** Cluster mode: seed nodes of the Redis Cluster (REDIS_URL is ignored). */
  REDIS_CLUSTER_NODES: nodeList(),
  /** ACL user and password for the Redis nodes (managed Redis, Sentinel, Cluster). */
  REDIS_USERNAME: optionalString(),
  REDIS_PASSWORD: optionalString(),
  /** TLS with REDIS_SENTINELS / REDIS_CLUSTER_NODES (a single node says rediss://). */
  REDIS_TLS: booleanFlag(false),
  /**
   * Replicas that must have an accepted event before the receiver answers 200 (Redis WAIT);
   * default 1 with REDIS_SENTINELS (a failover must not lose an acknowledged event), else 0. On a
   * Cluster it is opt-in (the WAIT goes to the master of the queue's slot): a master with no
   * replica (a staging cluster, or the promoted replica after a failover until the failed node
   * rejoins) would have every event spooled until one is back.
   */
  REDIS_REPLICA_ACKS: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .trim()
      .regex(/^\d+$/, { error: 'expected a whole number from 0 to 5' })
      .transform(Number)
      .refine((n) => n <= 5, { error: 'expected a whole number from 0 to 5' })
      .optional(),
  ),
  /** How long the receiver waits for REDIS_REPLICA_ACKS before it spools the event instead. */
  REDIS_REPLICA_ACK_TIMEOUT_MS: integer(10, 30_000, 1000),
  REDIS_TLS_CA_FILE: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .trim()
      .superRefine((path, ctx) => {
        const problem = tlsCaFileProblem(path);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
  ),
};

type RedisEnv = z.output<z.ZodObject<typeof redisShape>> & { readonly QUEUE_PREFIX: string };

export interface RedisIssue {
  readonly variable: string;
  readonly message: string;
}

function urlCredentials(url: string): { username: boolean; password: boolean } {
  try {
    const parsed = new URL(url);
    return { username: parsed.username !== '', password: parsed.password !== '' };
  } catch {
    return { username: false, password: false };
  }
}

/** The rules between the Redis variables; each problem names the variable to change. */
export function redisIssues(env: RedisEnv): RedisIssue[] {
  const issues: RedisIssue[] = [];
  const add = (variable: string, message: string) => issues.push({ variable, message });
  const sentinel = env.REDIS_SENTINELS !== undefined;
  const cluster = env.REDIS_CLUSTER_NODES !== undefined;
  if (sentinel && cluster)
    add(
      'REDIS_CLUSTER_NODES',
      'and REDIS_SENTINELS are both set: choose Redis Cluster or Sentinel',
    );
  if (env.REDIS_SENTINEL_NAME !== undefined && !sentinel)
    add(
      'REDIS_SENTINEL_NAME',
      'is set but REDIS_SENTINELS is not: list the Sentinels (host:port,...) or unset it',
    );
  if (sentinel && env.REDIS_SENTINEL_NAME === undefined)
    add(
      'REDIS_SENTINEL_NAME',
      'is required with REDIS_SENTINELS: the master name the Sentinels monitor, e.g. mymaster',
    );
  if (env.REDIS_SENTINEL_PASSWORD !== undefined && !sentinel)
    add('REDIS_SENTINEL_PASSWORD', 'is set but REDIS_SENTINELS is not');
  if (env.REDIS_USERNAME !== undefined && env.REDIS_PASSWORD === undefined)
    add('REDIS_PASSWORD', 'is required with REDIS_USERNAME (an ACL user signs in with a password)');
  const single = !sentinel && !cluster;
  const rediss = env.REDIS_URL.toLowerCase().startsWith('rediss://');
  if (single) {
    const inUrl = urlCredentials(env.REDIS_URL);
    if (inUrl.password && env.REDIS_PASSWORD !== undefined)
      add('REDIS_PASSWORD', 'and a password in REDIS_URL are both set: keep one');
    if (inUrl.username && env.REDIS_USERNAME !== undefined)
      add('REDIS_USERNAME', 'and a user name in REDIS_URL are both set: keep one');
    if (env.REDIS_TLS && !rediss)
      add(
        'REDIS_TLS',
        'applies to REDIS_SENTINELS and REDIS_CLUSTER_NODES: for a single node write rediss:// in REDIS_URL',
      );
  }
  const tls = single ? rediss : env.REDIS_TLS;
  if (env.REDIS_TLS_CA_FILE !== undefined && !tls)
    add(
      'REDIS_TLS_CA_FILE',
      single
        ? 'is set but REDIS_URL is not rediss://: the connection would not use TLS'
        : 'is set but REDIS_TLS is not true: the connection would not use TLS',
    );
  if (cluster && clusterHashTag(env.QUEUE_PREFIX) === undefined)
    add(
      'QUEUE_PREFIX',
      "must contain a hash tag such as {so} with REDIS_CLUSTER_NODES: each queue's keys must share one cluster slot",
    );
  return issues;
}

/**
 * The hash tag Redis Cluster hashes every key that starts with `prefix` by: the text between the
 * first `{` and the first `}` after it, when not empty and inside the prefix (Redis's rule; `{}{so}`
 * has none, so each key would be hashed whole and land in a slot of its own).
 */
export function clusterHashTag(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  if (open < 0) return undefined;
  const close = prefix.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return undefined;
  return prefix.slice(open + 1, close);
}

/** Adds `redisIssues` to a zod refinement context. */
export function refineRedis(env: RedisEnv, ctx: z.RefinementCtx): void {
  for (const issue of redisIssues(env))
    ctx.addIssue({ code: 'custom', path: [issue.variable], message: issue.message });
}

/** The topology of already validated variables. */
export function redisTopology(env: RedisEnv): RedisTopology {
  const sentinel = env.REDIS_SENTINELS !== undefined;
  const common = {
    url: env.REDIS_URL,
    username: env.REDIS_USERNAME,
    password: env.REDIS_PASSWORD,
    replicaAcks: {
      replicas: env.REDIS_REPLICA_ACKS ?? (sentinel ? 1 : 0),
      timeoutMs: env.REDIS_REPLICA_ACK_TIMEOUT_MS,
    },
  };
  if (env.REDIS_CLUSTER_NODES !== undefined)
    return {
      mode: 'cluster',
      ...common,
      tls: env.REDIS_TLS ? { caFile: env.REDIS_TLS_CA_FILE } : undefined,
      nodes: env.REDIS_CLUSTER_NODES,
    };
  if (env.REDIS_SENTINELS !== undefined)
    return {
      mode: 'sentinel',
      ...common,
      tls: env.REDIS_TLS ? { caFile: env.REDIS_TLS_CA_FILE } : undefined,
      sentinels: env.REDIS_SENTINELS,
      masterName: env.REDIS_SENTINEL_NAME!,
      sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
    };
  const rediss = env.REDIS_URL.toLowerCase().startsWith('rediss://');
  return {
    mode: 'single',
    ...common,
    tls: rediss ? { caFile: env.REDIS_TLS_CA_FILE } : undefined,
  };
}

/** The Redis variables, in the order `doctor` lists their problems. */
export const REDIS_VARIABLES = Object.keys(redisShape) as (keyof typeof redisShape)[];
