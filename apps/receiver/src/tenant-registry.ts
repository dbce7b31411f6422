import type { ReceiverConfig } from '@so-connector/config';
import type { ShutdownRegistry } from '@so-connector/logger';
import { createRedisConnection } from '@so-connector/queue';
import {
  openDeploymentRegistry,
  tenantFromEnvironment,
  type TenantRegistry,
} from '@so-connector/tenants';

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
): Promise<TenantRegistry> {
  const file = config.tenants.file;
  const secretsKey = config.tenants.secretsKey;
  const redis =
    secretsKey === undefined
      ? undefined
      : createRedisConnection(config.redis, {
          role: 'worker',
          connectionName: 'so-connector:receiver-tenants',
        });
  if (redis) {
    redis.on('error', () => undefined); // the receiver's own connection reports Redis trouble
    shutdown.register('tenant store redis', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  }
  const registry = await openDeploymentRegistry({
    environment: tenantFromEnvironment(config),
    ...(file === undefined ? {} : { file: { path: file, env, defaults: {} } }),
    ...(redis ? { store: { redis, prefix: config.queue.prefix, secretsKey } } : {}),
  });
  shutdown.register('tenant registry', () => registry.close());
  return registry;
}
