import type { ReceiverConfig } from '@so-connector/config';
import { logSecretValues, type Logger, type ShutdownRegistry } from '@so-connector/logger';
import { closeRedis, createConnection, type RedisConnection } from '@so-connector/queue';
import {
  openDeploymentRegistry,
  tenantFromEnvironment,
  TenantSecretsError,
  TenantStore,
  trackTenantSecrets,
  type TenantRegistry,
} from '@so-connector/tenants';

/**
 * Without TENANT_SECRETS_KEY the receiver does not read the store, so it would answer onboarded
 * tenants' webhooks 401: like the worker, it refuses to start while the store holds tenants
 * (TenantStore.requireKeyWhenStored, the worker's line). Asked over the receiver's own connection
 * once start-up has waited `waitedMs` for it; when it is not ready by then (Redis down,
 * misconfigured), or the command fails within that connection's command timeout, it says so and
 * starts: refusing would stop a receiver that could spool.
 * @throws TenantSecretsError `missing-key` when the store holds tenants and no key is set.
 */
export async function refuseStoredTenantsWithoutKey(
  config: ReceiverConfig,
  redis: RedisConnection,
  waitedMs: number,
  logger: Logger,
): Promise<void> {
  if (config.tenants.secretsKey !== undefined) return;
  const store = new TenantStore({ redis, prefix: config.queue.prefix, secretsKey: undefined });
  try {
    if (redis.status !== 'ready') throw new Error(`Redis did not answer within ${waitedMs} ms`);
    await store.requireKeyWhenStored();
  } catch (error) {
    if (error instanceof TenantSecretsError) throw error;
    logger.warn(
      'TENANT_SECRETS_KEY is not set and the store of onboarded tenants could not be checked; starting without the store (a tenant stored there is answered 401)',
      { key: store.key, problem: (error as Error).message },
    );
  }
}

/**
 * The tenants this receiver serves: the environment's, TENANTS_FILE's and, when TENANT_SECRETS_KEY
 * is set, the onboarded ones in Redis (docs/tenants.md). Only then does start-up need Redis: a
 * one-tenant receiver still starts while Redis is down and spools. The store is read over a
 * connection of its own that waits for Redis (a reload must not fail fast like an enqueue).
 */
export async function openReceiverRegistry(
  config: ReceiverConfig,
  env: Readonly<Record<string, string | undefined>>,
  shutdown: ShutdownRegistry,
  logger: Logger,
): Promise<TenantRegistry> {
  const file = config.tenants.file;
  const secretsKey = config.tenants.secretsKey;
  const redis =
    secretsKey === undefined
      ? undefined
      : createConnection(config.redis, {
          role: 'worker',
          connectionName: 'so-connector:receiver-tenants',
        });
  if (redis) {
    redis.on('error', () => undefined); // the receiver's own connection reports Redis trouble
    shutdown.register('tenant store redis', async () => {
      await closeRedis(redis);
    });
  }
  const registry = await openDeploymentRegistry({
    environment: tenantFromEnvironment(config),
    ...(file === undefined ? {} : { file: { path: file, env, defaults: {} } }),
    ...(redis ? { store: { redis, prefix: config.queue.prefix, secretsKey } } : {}),
  });
  // A source that fails to reload keeps its last good tenants; the operator must hear of it (a
  // tenant missing from the registry is answered as a wrong signature).
  const unsubscribe = registry.on('problem', ({ source, message }) =>
    logger.error('tenant source not reloaded; its last good tenants keep serving', {
      source,
      problem: message,
    }),
  );
  // The tenants' secrets (TENANTS_FILE's, the store's) are redacted from log lines as the
  // environment's are, from the moment the registry holds them until the tenant goes.
  const secrets = logSecretValues(logger);
  const untrack = secrets ? trackTenantSecrets(registry, secrets) : () => undefined;
  shutdown.register('tenant registry', async () => {
    unsubscribe();
    untrack();
    await registry.close();
  });
  return registry;
}
