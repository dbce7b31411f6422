import { readFileSync } from 'node:fs';
import {
  ConfigError,
  loadCliConfig,
  requireSection,
  type CliConfig,
  type RedisTopology,
} from '@so-connector/config';
import {
  closeRedis,
  closeWhenReady,
  createConnection,
  createQueuePartitions,
  partitionOf,
  type LabelledQueue,
  type RedisConnection,
  type QueueName,
} from '@so-connector/queue';
import { superOfficeHandle, type SuperOfficeHandle } from './superoffice-handle';
import type { TenantConfig, TenantRegistry, TenantSourceName } from '@so-connector/tenants';
import type { Queue } from 'bullmq';
import { CliError, EXIT } from './errors';
import { Output, type CliIo } from './io';
import { openTenantRegistry } from './tenants/open-registry';
import { configForTenant } from './tenants/settings';

export { superOfficeHandle, type SuperOfficeHandle } from './superoffice-handle';

/** The tenant a command acts on when `--tenant` (or the only registered tenant) chose it. */
export interface SelectedTenant {
  readonly tenant: TenantConfig;
  readonly source: TenantSourceName;
}

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

/** How long a queue may take to finish connecting before it is closed (closeWhenReady). */
export const CLOSE_READY_WITHIN_MS = 3000;

/**
 * What a command works with, created on first use and closed once at the end: the
 * configuration, one Redis connection, the queues, the SuperOffice client.
 */
export class CliContext {
  readonly out: Output;
  private loaded: CliConfig | undefined;
  private connection: Promise<RedisConnection> | undefined;
  private readonly queues = new Map<QueueName, LabelledQueue[]>();
  private readonly closers: (() => Promise<void>)[] = [];
  private superoffice: SuperOfficeHandle | undefined;
  private registry: Promise<TenantRegistry> | undefined;
  private selected: (SelectedTenant & { readonly config: CliConfig }) | undefined;
  /** The tenant `--tenant` named (chosenTenant). */
  private chosen: string | undefined;
  /** Why no tenant is known, when neither the environment nor the registry gives exactly one. */
  private noTenant: string | undefined;

  constructor(
    readonly io: CliIo,
    json: boolean,
  ) {
    this.out = new Output(io, json);
  }

  /**
   * The configuration (Redis, queue, tenant); throws ConfigError when those are invalid. With a
   * tenant selected (`selectTenant`), its settings stand in for the environment's one tenant.
   */
  config(): CliConfig {
    if (this.selected) return this.selected.config;
    this.loaded ??= loadCliConfig(this.io.env);
    return this.loaded;
  }

  /** The ContextIdentifier the command acts on. */
  get tenant(): string {
    const tenant = this.config().tenant;
    if (tenant) return tenant.contextIdentifier;
    throw new ConfigError(
      `invalid configuration: SO_CONTEXT_IDENTIFIER is not set and ${this.noTenant ?? 'no tenant was chosen'}`,
      ['SO_CONTEXT_IDENTIFIER'],
    );
  }

  /** The tenant chosen by `--tenant` or as the only registered one; undefined = the environment's. */
  get selectedTenant(): SelectedTenant | undefined {
    return this.selected;
  }

  /** The deployment's tenant registry (environment, TENANTS_FILE, store), loaded once. */
  tenantRegistry(): Promise<TenantRegistry> {
    this.registry ??= this.redis().then(async (redis) => {
      const registry = await openTenantRegistry(this.baseConfig(), this.io.env, redis);
      this.onClose(() => registry.close());
      return registry;
    });
    return this.registry;
  }

  /**
   * Chooses the tenant the command acts on: `contextIdentifier` (`--tenant`) from the registry;
   * without it the environment's tenant exactly as before, or else the only registered tenant.
   * @throws CliError when `--tenant` names a tenant this deployment does not serve.
   */
  async selectTenant(contextIdentifier: string | undefined): Promise<void> {
    if (contextIdentifier === undefined) {
      let base: CliConfig;
      try {
        base = this.baseConfig();
      } catch {
        return; // the command reports the configuration problem itself (doctor lists them all)
      }
      if (base.tenant) return;
      try {
        const tenants = (await this.tenantRegistry()).list();
        if (tenants.length === 1) return await this.selectTenant(tenants[0]!.contextIdentifier);
        this.noTenant =
          tenants.length === 0
            ? 'no tenant is registered (TENANTS_FILE, so-connector tenants add)'
            : `${tenants.length} tenants are registered: choose one with --tenant <contextIdentifier>`;
      } catch (error) {
        this.noTenant = `the tenant registry did not load (${error instanceof Error ? error.message : String(error)})`;
      }
      return;
    }
    const base = this.baseConfig();
    if (contextIdentifier === base.tenant?.contextIdentifier) {
      this.chosen = contextIdentifier;
      return;
    }
    const registry = await this.tenantRegistry();
    const tenant = registry.get(contextIdentifier);
    const source = registry.sourceOf(contextIdentifier);
    if (!tenant || !source) {
      throw new CliError(
        `--tenant ${contextIdentifier}: this deployment serves no such tenant (so-connector tenants list shows those it does)`,
        EXIT.usage,
      );
    }
    this.selected = { tenant, source, config: configForTenant(base, tenant, source) };
    this.chosen = contextIdentifier;
  }

  /**
   * The tenant `--tenant` named, if any: commands over shared queues (`failed`) then act on that
   * tenant's jobs only; without it they act on every tenant's (the operator's view).
   */
  get chosenTenant(): string | undefined {
    return this.chosen;
  }

  /** The environment's configuration, whatever tenant is selected. */
  private baseConfig(): CliConfig {
    this.loaded ??= loadCliConfig(this.io.env);
    return this.loaded;
  }

  /** A connected Redis, or a CliError naming the host within a few seconds. */
  redis(timeoutMs = 5000): Promise<RedisConnection> {
    this.connection ??= connectRedis(this.baseConfig().redis, timeoutMs);
    return this.connection;
  }

  /** Every partition of a queue (QUEUE_PARTITIONS; `so-maintenance` has one), in order. */
  async partitions(name: QueueName): Promise<LabelledQueue[]> {
    const existing = this.queues.get(name);
    if (existing) return existing;
    const redis = await this.redis();
    const { prefix, partitions } = this.config().queue;
    const list = createQueuePartitions(redis, prefix, partitions, name);
    this.queues.set(name, list);
    return list;
  }

  /** A queue's partition 0, or with `tenant` that tenant's partition (where its jobs are). */
  async queue(name: QueueName, tenant?: string): Promise<Queue> {
    const list = await this.partitions(name);
    return list[tenant === undefined ? 0 : partitionOf(tenant, list.length)]!.queue;
  }

  superOffice(): SuperOfficeHandle {
    if (!this.superoffice) {
      const credentials = this.selected?.tenant.credentials;
      const keyFile = this.baseConfig().appPrivateKeyFile;
      this.superoffice = superOfficeHandle(
        requireSection(this.config().superoffice),
        this.tenant,
        credentials,
        credentials?.kind === 'system-user' && keyFile ? readFileSync(keyFile, 'utf8') : undefined,
      );
    }
    return this.superoffice;
  }

  /** Runs `close` at the end of the command (before the Redis connection closes). */
  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
    // closeWhenReady: a queue closed while its connection still initialises makes BullMQ emit an
    // unhandled error (a command stopped by SIGTERM right after it began).
    for (const { queue } of [...this.queues.values()].flat())
      await closeWhenReady(queue, CLOSE_READY_WITHIN_MS).catch(() => undefined);
    if (this.connection) {
      const redis = await this.connection.catch(() => undefined);
      if (redis) await closeRedis(redis);
    }
  }
}

/**
 * Connects with the worker role (BullMQ's QueueEvents needs `maxRetriesPerRequest: null`) but
 * gives up after `timeoutMs`: an operator wants "Redis is down", not a command that hangs. A
 * Redis Cluster (REDIS_CLUSTER_NODES) is a `Cluster`: every key the commands touch carries
 * QUEUE_PREFIX's hash tag, so they run there as in the receiver and the worker.
 */
async function connectRedis(topology: RedisTopology, timeoutMs: number): Promise<RedisConnection> {
  const redis = createConnection(topology, {
    role: 'worker',
    connectionName: 'so-connector:cli',
  });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
  });
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
    `Redis at ${redisLocation(topology)} did not answer within ${timeoutMs} ms${lastError ? ` (${lastError.message})` : ''}; check ${variablesOf(topology)} and that Redis runs`,
    EXIT.redis,
  );
}

/** The variables that say where Redis is, for the message of a Redis that does not answer. */
function variablesOf(topology: RedisTopology): string {
  if (topology.mode === 'sentinel') return 'REDIS_SENTINELS and REDIS_SENTINEL_NAME';
  return topology.mode === 'cluster' ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL';
}
