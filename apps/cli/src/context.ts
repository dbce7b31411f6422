import { readFileSync } from 'node:fs';
import { ConfigError, loadCliConfig, requireSection, type CliConfig } from '@so-connector/config';
import {
  closeRedis,
  closeWhenReady,
  createQueuePartitions,
  partitionOf,
  type LabelledQueue,
  type RedisConnection,
  type QueueName,
} from '@so-connector/queue';
import { superOfficeHandle, type SuperOfficeHandle } from './superoffice-handle';
import type { TenantConfig, TenantRegistry, TenantSourceName } from '@so-connector/tenants';
import { QueueEvents, type Queue } from 'bullmq';
import { CliError, EXIT } from './errors';
import { Output, type CliIo } from './io';
import { openTenantRegistry } from './tenants/open-registry';
import { configForTenant } from './tenants/settings';
import {
  connectRedis,
  REDIS_ANSWER_WITHIN_MS,
  watchRedis,
  type RedisWatch,
} from './redis-connection';

export { superOfficeHandle, type SuperOfficeHandle } from './superoffice-handle';

/** The tenant a command acts on when `--tenant` (or the only registered tenant) chose it. */
export interface SelectedTenant {
  readonly tenant: TenantConfig;
  readonly source: TenantSourceName;
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
  /** Watches the connection while the command runs (redis-connection.ts watchRedis). */
  private watch: RedisWatch | undefined;
  /** Rejects once the command's Redis stopped answering (see `lost`). */
  private readonly dropped: Promise<never>;
  private drop: (error: unknown) => void = () => undefined;
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
    /** How long Redis may take to answer: to connect, and each PING while the command runs. */
    private readonly redisAnswerWithinMs = REDIS_ANSWER_WITHIN_MS,
  ) {
    this.out = new Output(io, json);
    this.dropped = new Promise<never>((_, reject) => {
      this.drop = reject;
    });
    this.dropped.catch(() => undefined);
  }

  /**
   * Rejects with a CliError (exit code 4) when the command's Redis connection, once made, stops
   * answering: runCli races the command against it, so a command never hangs on a Redis that died
   * or froze. Never settles for a command that does not use Redis.
   */
  get lost(): Promise<never> {
    return this.dropped;
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

  /** A connected (and from then on watched) Redis, or a CliError naming the host within a few seconds. */
  redis(): Promise<RedisConnection> {
    const topology = this.baseConfig().redis;
    this.connection ??= connectRedis(topology, this.redisAnswerWithinMs).then((redis) => {
      this.watch = watchRedis(redis, topology, this.redisAnswerWithinMs);
      this.watch.lost.catch((error: unknown) => this.drop(error));
      return redis;
    });
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

  /**
   * A queue's events (BullMQ QueueEvents, on a connection of its own), listening once this
   * resolves; closed at the end of the command, and dropped without waiting when Redis stopped
   * answering (so no connection of the command goes on reconnecting afterwards).
   */
  async queueEvents(name: QueueName): Promise<QueueEvents> {
    const connection = (await this.redis()).duplicate();
    const events = new QueueEvents(name, { connection, prefix: this.config().queue.prefix });
    this.onClose(async () => {
      if (this.watch?.isLost()) {
        // Not awaited: it ends BullMQ's listening loop (which otherwise retries every 5 s for
        // ever) and drops its connection; nothing is to be sent to a Redis that is gone.
        void events.close().catch(() => undefined);
      } else {
        await withinMs(
          closeWhenReady(events, CLOSE_READY_WITHIN_MS).then(() => closeRedis(connection)),
          CLOSE_READY_WITHIN_MS,
        );
      }
      connection.disconnect();
    });
    await Promise.race([events.waitUntilReady(), this.lost]);
    return events;
  }

  /** Runs `close` at the end of the command (before the Redis connection closes). */
  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async close(): Promise<void> {
    this.watch?.stop();
    // A closer (QueueEvents on a duplicated connection) must not hang on a Redis that went away.
    for (const close of this.closers.reverse())
      await withinMs(
        close().catch(() => undefined),
        CLOSE_READY_WITHIN_MS,
      );
    // closeWhenReady: a queue closed while its connection still initialises makes BullMQ emit an
    // unhandled error (a command stopped by SIGTERM right after it began).
    for (const { queue } of [...this.queues.values()].flat())
      await closeWhenReady(queue, CLOSE_READY_WITHIN_MS).catch(() => undefined);
    if (this.connection) {
      const redis = await this.connection.catch(() => undefined);
      // QUIT would wait in the offline queue for a Redis that is gone (found lost, or gone since
      // the watch stopped): drop the socket instead, or after a bounded wait.
      if (redis && !this.watch?.isLost()) await withinMs(closeRedis(redis), CLOSE_READY_WITHIN_MS);
      redis?.disconnect();
    }
  }
}

/** Waits for `promise`, or `ms` at most. */
async function withinMs(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
