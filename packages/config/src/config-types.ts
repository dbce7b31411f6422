import type { AdminUserConfig } from './admin-users';
import type { RedisTopology } from './redis-types';
import type { TrustProxy } from './parsers';
import type { LOG_LEVELS } from './schema';

/** The typed, frozen configuration objects `loadReceiverConfig` / `loadWorkerConfig` return. */
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogConfig {
  readonly level: LogLevel;
  readonly format: 'json' | 'pretty';
}

/**
 * `config.redis`: the Redis topology (single node, Sentinel or Cluster). `config.redis.url` is
 * REDIS_URL as before: the connection of a single node, ignored in the other two modes.
 */
export type RedisConfig = RedisTopology;

export interface QueueConfig {
  /** Key prefix for every queue; may be a hash tag such as `{so}`. */
  readonly prefix: string;
  /** QUEUE_PARTITIONS: how many partitions `so-events` and `so-enrich` are split into (1 = none). */
  readonly partitions: number;
  /** How long an EventId is known (a redelivery answers "duplicate"). */
  readonly dedupWindowSeconds: number;
  /**
   * Completed event job bodies kept for Bull Board and the dashboard: for `seconds` (capped at the
   * dedup window) and at most `count` of them.
   */
  readonly keepCompleted: { readonly seconds: number; readonly count: number };
}

/** The environment's one tenant (SO_CONTEXT_IDENTIFIER): the one-tenant shorthand. */
export interface TenantIdentity {
  /** SuperOffice ContextIdentifier, e.g. `Cust12345`. */
  readonly contextIdentifier: string;
}

/**
 * @deprecated the old name of {@link TenantIdentity}; `@so-connector/tenants` exports the real
 * `TenantConfig` (every setting of one tenant).
 */
export type TenantConfig = TenantIdentity;

/** Where tenants beyond the environment's one come from (docs/tenants.md). */
export interface TenantsSettings {
  /** TENANTS_FILE: a YAML or JSON file of tenants; undefined = none. */
  readonly file: string | undefined;
  /**
   * TENANT_SECRETS_KEY as given (its form already checked: 32 bytes in hex or base64); read it
   * with `parseSecretsKey` of `@so-connector/tenants`. undefined = no onboarded tenants possible.
   */
  readonly secretsKey: string | undefined;
}

export interface WebhookAuthConfig {
  /** HMAC secrets; the first is current, the others are accepted during a rotation. */
  readonly secrets: readonly string[];
  /** Legacy shared token accepted as `?token=` (the prototype's scheme). */
  readonly token: string | undefined;
  /** Accept webhooks with no signature and no token. Local use only. */
  readonly allowUnsigned: boolean;
}

export interface ReceiverConfig {
  readonly redis: RedisConfig;
  readonly queue: QueueConfig;
  readonly log: LogConfig;
  /**
   * The environment's tenant (SO_CONTEXT_IDENTIFIER); undefined when TENANTS_FILE or the store
   * (TENANT_SECRETS_KEY) give every tenant.
   */
  readonly tenant: TenantIdentity | undefined;
  readonly tenants: TenantsSettings;
  /** SO_APP_PRIVATE_KEY_FILE: the app's RSA private key (PEM), checked readable at start-up. */
  readonly appPrivateKeyFile: string | undefined;
  readonly http: {
    readonly port: number;
    readonly shutdownTimeoutMs: number;
    /** Headers and body must arrive within this long (408 otherwise). */
    readonly requestTimeoutMs: number;
    /** TRUST_PROXY, as Express's `trust proxy` setting takes it. */
    readonly trustProxy: TrustProxy;
  };
  readonly webhook: WebhookAuthConfig;
  /** The worker's UDF keys (SO_UDF_*), so the dashboard can name the fields written. */
  readonly udfs: UdfTargetsConfig;
  readonly spool: { readonly dir: string };
  /** Admin UI credentials; undefined = no admin UI. */
  readonly admin:
    | {
        /** The operator (ADMIN_USER/ADMIN_PASSWORD): sees every tenant. */
        readonly user: string;
        readonly password: string;
        readonly write: boolean;
        /** Tenant admins (ADMIN_USERS): each sees only its tenants. */
        readonly users: readonly AdminUserConfig[];
      }
    | undefined;
}

export type EnrichmentSettings =
  | { readonly provider: 'builtin' }
  | {
      readonly provider: 'company-explorer';
      readonly baseUrl: string;
      readonly apiKey: string;
      readonly timeoutMs: number;
    }
  | {
      readonly provider: 'openai';
      readonly baseUrl: string;
      readonly apiKey: string;
      readonly model: string;
      readonly timeoutMs: number;
    };

export interface SuperOfficeConfig {
  readonly environment: 'sod' | 'qaonline' | 'online';
  readonly clientId: string;
  readonly clientSecret: string;
  /** SO_REFRESH_TOKEN: the environment tenant's; undefined when there is none. */
  readonly refreshToken: string | undefined;
  readonly redirectUri: string | undefined;
  /** Fixed API base; else resolved from the tenant status endpoint. */
  readonly apiBaseUrl: string | undefined;
  /** Token endpoint override (the simulator); else `https://{environment}.superoffice.com/...`. */
  readonly tokenUrl: string | undefined;
  readonly udfWriteMode: 'json-patch' | 'get-put';
  /** Calls per second the worker allows itself against SuperOffice. */
  readonly rateLimitPerSecond: number;
  /** The API user's associate id, when given; else learned from currentPrincipal. */
  readonly ownAssociateId: number | undefined;
  readonly ownAssociateRefreshMs: number;
}

export interface UdfTargetsConfig {
  readonly vertical: string | undefined;
  readonly summary: string | undefined;
  readonly opener: string | undefined;
  readonly personOpener: string | undefined;
}

export interface WorkerConfig {
  readonly redis: RedisConfig;
  readonly queue: { readonly prefix: string; readonly partitions: number };
  readonly log: LogConfig;
  /**
   * The environment's tenant (SO_CONTEXT_IDENTIFIER); undefined when TENANTS_FILE or the store
   * (TENANT_SECRETS_KEY) give every tenant.
   */
  readonly tenant: TenantIdentity | undefined;
  readonly tenants: TenantsSettings;
  /** SO_APP_PRIVATE_KEY_FILE: the app's RSA private key (PEM), checked readable at start-up. */
  readonly appPrivateKeyFile: string | undefined;
  readonly superoffice: SuperOfficeConfig;
  readonly udfs: UdfTargetsConfig;
  readonly enrichment: EnrichmentSettings;
  readonly scopeOwnerAssociates: readonly string[];
  /** Overrides of the filter rules; undefined = the defaults. */
  readonly filters: {
    readonly contactChangeColumns: readonly string[] | undefined;
    readonly personChangeColumns: readonly string[] | undefined;
    readonly enrichOnCreate: boolean;
  };
  readonly worker: {
    /** Jobs at once per partition of so-enrich (and of so-maintenance) in this process. */
    readonly concurrency: number;
    /**
     * Jobs at once per partition of so-events in this process: the stage's jobs in flight share
     * their sync-run writes, so it runs more of them than so-enrich (EVENTS_CONCURRENCY).
     */
    readonly eventsConcurrency: number;
    /**
     * The most jobs of one tenant that run at once in this process's so-enrich worker (and its
     * so-maintenance worker), while the registry holds two tenants or more: a tenant whose
     * SuperOffice hangs keeps the other slots free for the others. 0, or not below a stage's
     * concurrency, = no cap in that stage. Default: half of `concurrency`, at least 1.
     */
    readonly tenantMaxInFlight: number;
    readonly debounceMs: number;
    readonly maxWaitMs: number;
    readonly attempts: number;
    /** Base of the exponential backoff between attempts (ms). */
    readonly backoffMs: number;
    /** Cap of that backoff (ms). */
    readonly backoffMaxMs: number;
    /**
     * How long a job's lock lasts without renewal: a worker that died mid-job gives its job back
     * after this long (BullMQ stalled-job recovery).
     */
    readonly lockDurationMs: number;
    readonly shutdownTimeoutMs: number;
    /**
     * How long a provider answer is kept in Redis by its input fingerprint, so a retry after a
     * failed write (or another job with the same inputs) does not ask the provider again.
     */
    readonly providerResultTtlMs: number;
  };
  /** How much of the sync-run log (the dashboard's activity) the worker keeps per tenant. */
  readonly syncRuns: {
    /** SYNC_RUN_RETENTION_MS: facts older than this are dropped. */
    readonly retentionMs: number;
    /** SYNC_RUN_MAX_FACTS_PER_ACCOUNT: the newest this many facts of an account are kept. */
    readonly maxFactsPerAccount: number;
    /** SYNC_RUN_MAX_ACCOUNTS: the most recently active this many accounts of a tenant are kept. */
    readonly maxAccountsPerTenant: number;
  };
  readonly maintenance: {
    /** Webhook watchdog period; 0 = off. */
    readonly watchdogIntervalMs: number;
    /** Reconciliation sweep period; 0 = off (it still runs after a re-activation). */
    readonly reconcileIntervalMs: number;
    /** The receiver's public webhook URL, when known: identifies this connector's webhooks. */
    readonly webhookUrl: string | undefined;
  };
  /** Port of the worker's /metrics endpoint; 0 = none. */
  readonly metricsPort: number;
}
