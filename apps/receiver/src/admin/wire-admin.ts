import type { ReceiverConfig } from '@so-connector/config';
import type { Logger, ShutdownRegistry } from '@so-connector/logger';
import {
  closeRedis,
  BackfillProgressStore,
  closeWhenReady,
  createDeploymentQueues,
  createConnection,
  tenantKeyPrefix,
} from '@so-connector/queue';
import { ActivityCounters, SyncRunStore, WebhookHealthStore } from '@so-connector/sync-runs';
import type { AdminDeps } from './admin.router';
import { fieldNames } from './pages/field-names';
import { whenReady } from './redis-ready';
import type { AdminTenants } from './tenant-scope';
import { tenantStatusReader } from './tenant-status';

/** An admin page gives up on Redis after this long and shows what it has (with a 503). */
const ADMIN_REDIS_TIMEOUT_MS = 2000;

/**
 * The admin UI's dependencies, or undefined when ADMIN_USER/ADMIN_PASSWORD are unset (then there is
 * no admin UI at all). The admin UI has a Redis connection of its own: Bull Board polls every few
 * seconds, and its reads must not queue behind, or in front of, the webhook's enqueues.
 */
export function wireAdmin(
  config: ReceiverConfig,
  logger: Logger,
  shutdown: ShutdownRegistry,
  tenants: AdminTenants,
  extra: Pick<AdminDeps, 'onboarding'> = {},
): AdminDeps | undefined {
  if (config.admin === undefined) return undefined;
  const redis = createConnection(config.redis, {
    role: 'producer',
    commandTimeoutMs: ADMIN_REDIS_TIMEOUT_MS,
    connectionName: 'so-connector:receiver-admin',
  });
  redis.on('error', (error: Error) =>
    logger.debug('admin Redis connection error', { error: error.message }),
  );
  shutdown.register('admin redis', async () => {
    await closeRedis(redis);
  });
  const prefix = config.queue.prefix;
  // Every partition of every queue (QUEUE_PARTITIONS): counts, Bull Board and job links see all.
  const queues = createDeploymentQueues(redis, prefix, config.queue.partitions);
  // A tenant's runs, health, activity, budgets, pauses and backfills are in its partition's slot.
  const tenantPrefix = tenantKeyPrefix(prefix, config.queue.partitions);
  for (const { queue, label } of queues) {
    queue.on('error', (error: Error) =>
      logger.debug('admin queue error', { queue: label, error: error.message }),
    );
    shutdown.register(`admin queue ${label}`, async () => {
      await closeWhenReady(queue, config.http.shutdownTimeoutMs / 2);
    });
  }
  return {
    credentials: { user: config.admin.user, password: config.admin.password },
    users: config.admin.users,
    write: config.admin.write,
    tenants,
    queues,
    runs: new SyncRunStore({ redis, prefix: tenantPrefix }),
    status: tenantStatusReader(redis, prefix, tenantPrefix),
    webhookHealth: new WebhookHealthStore({ redis, prefix: tenantPrefix }),
    activity: new ActivityCounters({ redis, prefix: tenantPrefix }),
    backfills: new BackfillProgressStore(redis, tenantPrefix),
    logger,
    redisReady: whenReady(redis),
    fieldNames: fieldNames(config.udfs),
    knownSecrets: [
      ...config.webhook.secrets,
      ...(config.webhook.token === undefined ? [] : [config.webhook.token]),
    ],
    readTimeoutMs: ADMIN_REDIS_TIMEOUT_MS,
    ...extra,
  };
}
