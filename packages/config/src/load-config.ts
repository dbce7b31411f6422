import type { z } from 'zod';
import {
  environmentTenantOptional,
  receiverEnvSchema,
  receiverEnvSchemaWithoutTenant,
  SECRET_VARIABLES,
  type ReceiverEnv,
} from './schema';
import { workerEnvSchema, workerEnvSchemaWithoutTenant, type WorkerEnv } from './worker-schema';
import type {
  EnrichmentSettings,
  ReceiverConfig,
  TenantIdentity,
  WorkerConfig,
} from './config-types';
import { redisTopology } from './redis-env';

/** Thrown when the environment is invalid; `message` is one line naming every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    /** The variables that failed, in the order found. */
    readonly variables: readonly string[],
  ) {
    super(message);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function describeValue(variable: string, env: Env): string {
  if (SECRET_VARIABLES.has(variable)) return '';
  const raw = env[variable];
  if (raw === undefined) return '';
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return ` (got ${JSON.stringify(shown)})`;
}

function parseEnv<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? 'environment');
    if (seen.has(variable)) continue;
    seen.add(variable);
    parts.push(`${variable} ${issue.message}${describeValue(variable, env)}`);
  }
  return fail(`invalid configuration: ${parts.join('; ')}`, [...seen]);
}

function fail(message: string, variables: string[]): never {
  throw new ConfigError(message, variables);
}

export function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}

/** The environment's one tenant; none when TENANTS_FILE or the store give every tenant. */
function environmentTenant(contextIdentifier: string | undefined): TenantIdentity | undefined {
  return contextIdentifier === undefined ? undefined : { contextIdentifier };
}

function toReceiverConfig(env: ReceiverEnv): ReceiverConfig {
  return deepFreeze({
    redis: redisTopology(env),
    queue: {
      prefix: env.QUEUE_PREFIX,
      partitions: env.QUEUE_PARTITIONS,
      dedupWindowSeconds: env.DEDUP_WINDOW_SECONDS,
      keepCompleted: {
        seconds: env.EVENTS_KEEP_COMPLETED_SECONDS,
        count: env.EVENTS_KEEP_COMPLETED_COUNT,
      },
    },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    tenant: environmentTenant(env.SO_CONTEXT_IDENTIFIER),
    tenants: { file: env.TENANTS_FILE, secretsKey: env.TENANT_SECRETS_KEY },
    appPrivateKeyFile: env.SO_APP_PRIVATE_KEY_FILE,
    http: {
      port: env.PORT,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      trustProxy: env.TRUST_PROXY,
    },
    udfs: {
      vertical: env.SO_UDF_VERTICAL,
      summary: env.SO_UDF_SUMMARY,
      opener: env.SO_UDF_OPENER,
      personOpener: env.SO_UDF_PERSON_OPENER,
    },
    webhook: {
      secrets: env.WEBHOOK_SECRET,
      token: env.WEBHOOK_TOKEN,
      allowUnsigned: env.ALLOW_UNSIGNED,
    },
    spool: { dir: env.SPOOL_DIR },
    admin:
      env.ADMIN_USER !== undefined && env.ADMIN_PASSWORD !== undefined
        ? {
            user: env.ADMIN_USER,
            password: env.ADMIN_PASSWORD,
            write: env.ADMIN_WRITE,
            users: env.ADMIN_USERS,
          }
        : undefined,
  });
}

type ProviderEnv = Pick<
  WorkerEnv,
  | 'ENRICHMENT_PROVIDER'
  | 'COMPANY_EXPLORER_URL'
  | 'COMPANY_EXPLORER_API_KEY'
  | 'OPENAI_BASE_URL'
  | 'OPENAI_API_KEY'
  | 'OPENAI_MODEL'
  | 'PROVIDER_TIMEOUT_MS'
>;

/** The provider settings from already validated variables (worker and CLI). */
export function enrichmentSettings(env: ProviderEnv): EnrichmentSettings {
  switch (env.ENRICHMENT_PROVIDER) {
    case 'builtin':
      return { provider: 'builtin' };
    case 'company-explorer':
      return {
        provider: 'company-explorer',
        baseUrl: env.COMPANY_EXPLORER_URL!,
        apiKey: env.COMPANY_EXPLORER_API_KEY!,
        timeoutMs: env.PROVIDER_TIMEOUT_MS,
      };
    case 'openai':
      return {
        provider: 'openai',
        baseUrl: env.OPENAI_BASE_URL!,
        apiKey: env.OPENAI_API_KEY!,
        model: env.OPENAI_MODEL,
        timeoutMs: env.PROVIDER_TIMEOUT_MS,
      };
  }
}

function toWorkerConfig(env: WorkerEnv): WorkerConfig {
  return deepFreeze({
    redis: redisTopology(env),
    queue: { prefix: env.QUEUE_PREFIX, partitions: env.QUEUE_PARTITIONS },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    tenant: environmentTenant(env.SO_CONTEXT_IDENTIFIER),
    tenants: { file: env.TENANTS_FILE, secretsKey: env.TENANT_SECRETS_KEY },
    appPrivateKeyFile: env.SO_APP_PRIVATE_KEY_FILE,
    superoffice: {
      environment: env.SO_ENVIRONMENT,
      clientId: env.SO_CLIENT_ID!,
      clientSecret: env.SO_CLIENT_SECRET!,
      refreshToken: env.SO_REFRESH_TOKEN,
      redirectUri: env.SO_REDIRECT_URI,
      apiBaseUrl: env.SO_API_BASE_URL,
      tokenUrl: env.SO_TOKEN_URL,
      udfWriteMode: env.SO_UDF_WRITE_MODE,
      rateLimitPerSecond: env.SO_RATE_LIMIT_PER_SECOND,
      ownAssociateId: env.SO_OWN_ASSOCIATE_ID,
      ownAssociateRefreshMs: env.OWN_ASSOCIATE_REFRESH_MS,
    },
    udfs: {
      vertical: env.SO_UDF_VERTICAL,
      summary: env.SO_UDF_SUMMARY,
      opener: env.SO_UDF_OPENER,
      personOpener: env.SO_UDF_PERSON_OPENER,
    },
    enrichment: enrichmentSettings(env),
    scopeOwnerAssociates: env.SCOPE_OWNER_ASSOCIATES,
    filters: {
      contactChangeColumns: env.FILTER_CONTACT_CHANGES.length
        ? env.FILTER_CONTACT_CHANGES
        : undefined,
      personChangeColumns: env.FILTER_PERSON_CHANGES.length ? env.FILTER_PERSON_CHANGES : undefined,
      enrichOnCreate: env.FILTER_ENRICH_ON_CREATE,
    },
    worker: {
      concurrency: env.WORKER_CONCURRENCY,
      eventsConcurrency: env.EVENTS_CONCURRENCY,
      tenantMaxInFlight:
        env.TENANT_MAX_IN_FLIGHT ?? Math.max(1, Math.ceil(env.WORKER_CONCURRENCY / 2)),
      debounceMs: env.ENRICH_DEBOUNCE_MS,
      maxWaitMs: env.ENRICH_MAX_WAIT_MS,
      attempts: env.ENRICH_ATTEMPTS,
      backoffMs: env.ENRICH_BACKOFF_MS,
      backoffMaxMs: env.ENRICH_BACKOFF_MAX_MS,
      lockDurationMs: env.WORKER_LOCK_DURATION_MS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      providerResultTtlMs: env.PROVIDER_RESULT_TTL_MS,
    },
    syncRuns: {
      retentionMs: env.SYNC_RUN_RETENTION_MS,
      maxFactsPerAccount: env.SYNC_RUN_MAX_FACTS_PER_ACCOUNT,
      maxAccountsPerTenant: env.SYNC_RUN_MAX_ACCOUNTS,
    },
    maintenance: {
      watchdogIntervalMs: env.WATCHDOG_INTERVAL_MS,
      reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
      webhookUrl: env.WEBHOOK_PUBLIC_URL,
    },
    metricsPort: env.METRICS_PORT,
  });
}

/**
 * Reads and validates the worker's configuration. Call it from `main.ts`, never at import time.
 * With TENANTS_FILE or TENANT_SECRETS_KEY set, SO_CONTEXT_IDENTIFIER and its tenant's variables
 * (SO_REFRESH_TOKEN, SO_UDF_*) may be left out: `tenant` is then undefined.
 * @throws ConfigError with one line naming each invalid variable (secret values are never shown).
 */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const schema = environmentTenantOptional(env) ? workerEnvSchemaWithoutTenant : workerEnvSchema;
  return toWorkerConfig(parseEnv(schema, env));
}

/**
 * Reads and validates the receiver's configuration. Call it from `main.ts`, never at import time.
 * With TENANTS_FILE or TENANT_SECRETS_KEY set, SO_CONTEXT_IDENTIFIER and its tenant's webhook
 * secret (WEBHOOK_SECRET/WEBHOOK_TOKEN) may be left out: `tenant` is then undefined.
 * @throws ConfigError with one line naming each invalid variable (secret values are never shown).
 */
export function loadReceiverConfig(env: Env = process.env): ReceiverConfig {
  const schema = environmentTenantOptional(env)
    ? receiverEnvSchemaWithoutTenant
    : receiverEnvSchema;
  return toReceiverConfig(parseEnv(schema, env));
}
