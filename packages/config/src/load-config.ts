import type { z } from 'zod';
import {
  receiverEnvSchema,
  SECRET_VARIABLES,
  workerEnvSchema,
  type ReceiverEnv,
  type WorkerEnv,
} from './schema';
import type { LOG_LEVELS } from './schema';
import type { TrustProxy } from './parsers';

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogConfig {
  readonly level: LogLevel;
  readonly format: 'json' | 'pretty';
}

export interface RedisConfig {
  readonly url: string;
}

export interface QueueConfig {
  /** Key prefix for every queue; may be a hash tag such as `{so}`. */
  readonly prefix: string;
  /** How long a completed event job (and so its EventId) is kept for de-duplication. */
  readonly dedupWindowSeconds: number;
}

export interface TenantConfig {
  /** SuperOffice ContextIdentifier, e.g. `Cust12345`. */
  readonly contextIdentifier: string;
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
  readonly tenant: TenantConfig;
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
    { readonly user: string; readonly password: string; readonly write: boolean } | undefined;
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
  readonly refreshToken: string;
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
  readonly queue: { readonly prefix: string };
  readonly log: LogConfig;
  readonly tenant: TenantConfig;
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
    readonly concurrency: number;
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

function toReceiverConfig(env: ReceiverEnv): ReceiverConfig {
  return deepFreeze({
    redis: { url: env.REDIS_URL },
    queue: { prefix: env.QUEUE_PREFIX, dedupWindowSeconds: env.DEDUP_WINDOW_SECONDS },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    tenant: { contextIdentifier: env.SO_CONTEXT_IDENTIFIER },
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
        ? { user: env.ADMIN_USER, password: env.ADMIN_PASSWORD, write: env.ADMIN_WRITE }
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
    redis: { url: env.REDIS_URL },
    queue: { prefix: env.QUEUE_PREFIX },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    tenant: { contextIdentifier: env.SO_CONTEXT_IDENTIFIER },
    superoffice: {
      environment: env.SO_ENVIRONMENT,
      clientId: env.SO_CLIENT_ID!,
      clientSecret: env.SO_CLIENT_SECRET!,
      refreshToken: env.SO_REFRESH_TOKEN!,
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
      debounceMs: env.ENRICH_DEBOUNCE_MS,
      maxWaitMs: env.ENRICH_MAX_WAIT_MS,
      attempts: env.ENRICH_ATTEMPTS,
      backoffMs: env.ENRICH_BACKOFF_MS,
      backoffMaxMs: env.ENRICH_BACKOFF_MAX_MS,
      lockDurationMs: env.WORKER_LOCK_DURATION_MS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      providerResultTtlMs: env.PROVIDER_RESULT_TTL_MS,
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
 * @throws ConfigError with one line naming each invalid variable (secret values are never shown).
 */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  return toWorkerConfig(parseEnv(workerEnvSchema, env));
}

/**
 * Reads and validates the receiver's configuration. Call it from `main.ts`, never at import time.
 * @throws ConfigError with one line naming each invalid variable (secret values are never shown).
 */
export function loadReceiverConfig(env: Env = process.env): ReceiverConfig {
  return toReceiverConfig(parseEnv(receiverEnvSchema, env));
}
