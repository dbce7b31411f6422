import { readFileSync } from 'node:fs';
import type { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { WorkerConfig } from '@so-connector/config';
import { logSecretValues, type Logger, type ShutdownRegistry } from '@so-connector/logger';
import { TenantBudgets, tenantKeyPrefix } from '@so-connector/queue';
import type { CallRecord } from '@so-connector/superoffice-client';
import {
  defaultsFromWorkerConfig,
  openDeploymentRegistry,
  tenantFromEnvironment,
  trackTenantSecrets,
  type TenantRegistry,
} from '@so-connector/tenants';
import type { WorkerMetrics } from '../metrics';
import type { UdfTargetsOptions } from '../udf-targets';
import { ReconsentStore } from './reconsent-store';
import { promoteDeferred } from './tenant-jobs';
import { TenantPauses } from './tenant-pause';
import { buildTenantRuntime } from './tenant-runtime';
import { TenantRuntimes } from './tenant-runtimes';

export interface ServedTenants {
  readonly registry: TenantRegistry;
  readonly runtimes: TenantRuntimes;
  /** Which tenants need re-consent (read by the dashboard later). */
  readonly reconsent: ReconsentStore;
}

export interface ServeTenantsOptions {
  readonly config: WorkerConfig;
  readonly connection: Redis | Cluster;
  readonly shutdown: ShutdownRegistry;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
  /** Queues whose deferred jobs are woken when a tenant's re-consent mark is cleared. */
  readonly queues: readonly Queue[];
  /** Default: the environment's one tenant, closed on stop. */
  readonly registry?: TenantRegistry;
  /** The variables TENANTS_FILE's `env:NAME` values read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly udfTargets?: Pick<UdfTargetsOptions, 'listRetryMinMs' | 'listRetryMaxMs'>;
  readonly onSuperOfficeCall?: (call: CallRecord, tenant: string) => void;
}

/** The registry (given, or the environment's one tenant), the per-tenant runtimes and the marks. */
export async function serveTenants(options: ServeTenantsOptions): Promise<ServedTenants> {
  const { config, shutdown, logger } = options;
  let registry = options.registry;
  if (!registry) {
    // The environment's tenant, TENANTS_FILE's and the onboarded ones (docs/tenants.md). The store
    // is always read: stored tenants without TENANT_SECRETS_KEY stop the worker at start.
    const file = config.tenants.file;
    const own = await openDeploymentRegistry({
      environment: tenantFromEnvironment(config),
      ...(file === undefined
        ? {}
        : { file: { path: file, env: options.env, defaults: defaultsFromWorkerConfig(config) } }),
      store: {
        redis: options.connection,
        prefix: config.queue.prefix,
        secretsKey: config.tenants.secretsKey,
      },
    });
    shutdown.register('tenant registry', () => own.close());
    registry = own;
  }
  // Read once at start (config validated it as a readable RSA private key); signs system-user tokens.
  const appPrivateKey =
    config.appPrivateKeyFile === undefined
      ? undefined
      : readFileSync(config.appPrivateKeyFile, 'utf8');
  const reconsent = new ReconsentStore(options.connection, config.queue.prefix);
  const tenantPrefix = tenantKeyPrefix(config.queue.prefix, config.queue.partitions);
  const budgets = new TenantBudgets(options.connection, tenantPrefix);
  const pauses = new TenantPauses(options.connection, config.queue.prefix, tenantPrefix);
  const runtimes = new TenantRuntimes({
    registry,
    reconsent,
    logger,
    build: (tenant) =>
      buildTenantRuntime(tenant, {
        app: { ...config.superoffice, appPrivateKey },
        budgets,
        pauses,
        ownAssociateRefreshMs: config.superoffice.ownAssociateRefreshMs,
        metrics: options.metrics,
        logger,
        ...(options.udfTargets ? { udfTargets: options.udfTargets } : {}),
        ...(options.onSuperOfficeCall ? { onSuperOfficeCall: options.onSuperOfficeCall } : {}),
      }),
    resume: (ctx, jobs) => promoteDeferred(options.queues, jobs, logger, ctx),
  });
  // A source that fails to reload keeps serving its last good set; the operator must hear of it.
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
  shutdown.register('tenant runtimes', () => {
    unsubscribe();
    untrack();
    runtimes.close();
    return Promise.resolve();
  });
  return { registry, runtimes, reconsent };
}
