import type { ReceiverConfig } from '@so-connector/config';
import type { Logger, ShutdownRegistry } from '@so-connector/logger';
import { closeRedis, createConnection } from '@so-connector/queue';
import { jwksKeys } from '@so-connector/superoffice-client';
import { TenantStore } from '@so-connector/tenants';
import type { OnboardingDeps } from './onboarding-deps';
import type { OnboardingConfig } from './onboarding-settings';
import { whenReady } from '../admin/redis-ready';
import { OAuthStateStore } from './state-store';

/**
 * Onboarding's services: its own Redis connection (fail fast, 5 s per command; TenantStore.update
 * is a compare-and-set, safe with concurrent requests on it), the state store, and the JWKS key
 * cache (superoffice-client does the HTTP). Undefined without the admin UI: onboarding is an
 * admin action.
 */
export function wireOnboarding(
  config: ReceiverConfig,
  onboarding: OnboardingConfig | undefined,
  logger: Logger,
  shutdown: ShutdownRegistry,
  definedByOperator: OnboardingDeps['definedByOperator'],
): OnboardingDeps | undefined {
  if (config.admin === undefined || onboarding === undefined) return undefined;
  const redis = createConnection(config.redis, {
    role: 'producer',
    commandTimeoutMs: 5000,
    connectionName: 'so-connector:receiver-onboarding',
  });
  redis.on('error', (error: Error) =>
    logger.debug('onboarding Redis connection error', { error: error.message }),
  );
  shutdown.register('onboarding redis', async () => {
    await closeRedis(redis);
  });
  const settings = onboarding.ok ? onboarding.value : undefined;
  const store =
    settings?.secretsKey === undefined
      ? undefined
      : new TenantStore({ redis, prefix: config.queue.prefix, secretsKey: settings.secretsKey });
  return {
    config: onboarding,
    signIn: settings && {
      settings,
      states: new OAuthStateStore(redis, config.queue.prefix),
      keys: jwksKeys({ url: settings.endpoints.jwksUrl, now: Date.now }),
      now: Date.now,
    },
    store,
    definedByOperator,
    logger,
    redisReady: whenReady(redis),
  };
}
