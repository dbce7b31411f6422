import { z } from 'zod';
import { adminUsers, refineAdminUsers } from './admin-users';
import {
  appPrivateKeyFile,
  booleanFlag,
  commaList,
  integer,
  oneOf,
  optionalInteger,
  optionalString,
  secretsKey,
  stringWithDefault,
  trustProxy,
} from './parsers';
import { redisShape, refineRedis } from './redis-env';

/**
 * Variables whose values are never echoed in an error line. REDIS_URL is here because it may carry
 * a password (`redis://:pw@host`).
 */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'WEBHOOK_SECRET',
  'WEBHOOK_TOKEN',
  'SO_CLIENT_SECRET',
  'SO_REFRESH_TOKEN',
  'COMPANY_EXPLORER_API_KEY',
  'OPENAI_API_KEY',
  'ADMIN_PASSWORD',
  'ADMIN_USERS',
  'REDIS_URL',
  'REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
  'TENANT_SECRETS_KEY',
]);

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

/** Variables every process shares: Redis (single node, Sentinel or Cluster), queue naming and logging. */
const commonShape = {
  ...redisShape,
  QUEUE_PREFIX: stringWithDefault('so', {
    // A Redis Cluster hash tag such as `{so}` keeps all of a queue's keys in one slot.
    regex: /^[A-Za-z0-9_.\-{}]+$/,
    expected: 'letters, digits, "_", "-", "." or a hash tag such as {so}',
  }),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
  LOG_FORMAT: oneOf(['json', 'pretty'] as const, 'json'),
};

const udfKey = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z
    .string()
    .trim()
    .regex(/^[^\s]+$/, { error: 'expected a UDF ProgId such as SuperOffice:83' })
    .optional(),
);

/** The tenant this deployment serves (one today; see DESIGN.md "Tenant-ready"). */
const tenantShape = {
  SO_CONTEXT_IDENTIFIER: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string({ error: 'is required: the SuperOffice tenant id, e.g. Cust12345' })
      .trim()
      .regex(/^[A-Za-z0-9_-]+$/, { error: 'expected a tenant id such as Cust12345' }),
  ),
};

/**
 * Many tenants (DESIGN.md "Many tenants", docs/tenants.md): where tenants beyond the environment's
 * one come from, the key their stored secrets are encrypted with, and the app's private key.
 */
const tenantsShape = {
  /** YAML or JSON file of tenants; re-read when it changes. */
  TENANTS_FILE: optionalString(),
  /** AES-256-GCM key of the onboarded tenants' secrets in Redis. */
  TENANT_SECRETS_KEY: secretsKey(),
  /** The app's RSA private key (PEM) that signs system-user tokens (superoffice-api.md §5.5). */
  SO_APP_PRIVATE_KEY_FILE: appPrivateKeyFile(),
};

export const receiverEnvSchema = z
  .object({
    ...commonShape,
    ...tenantShape,
    ...tenantsShape,
    PORT: integer(0, 65535, 3000),
    WEBHOOK_SECRET: commaList(),
    WEBHOOK_TOKEN: optionalString(),
    ALLOW_UNSIGNED: booleanFlag(false),
    SPOOL_DIR: stringWithDefault('./var/spool'),
    DEDUP_WINDOW_SECONDS: integer(60, 30 * 24 * 3600, 24 * 3600),
    /**
     * Completed so-events job bodies kept for Bull Board and the dashboard: this long (at most the
     * dedup window) and at most this many. The EventId stays a duplicate for the whole window.
     */
    EVENTS_KEEP_COMPLETED_SECONDS: integer(0, 30 * 24 * 3600, 3600),
    EVENTS_KEEP_COMPLETED_COUNT: integer(0, 1_000_000, 1000),
    SHUTDOWN_TIMEOUT_MS: integer(100, 120_000, 10_000),
    /** A request (headers and body) must arrive within this long, else 408: slow bodies are cut. */
    REQUEST_TIMEOUT_MS: integer(1000, 300_000, 15_000),
    /** Admin UI (Bull Board + sync runs) under /admin; no admin UI at all when unset. */
    ADMIN_USER: optionalString(),
    ADMIN_PASSWORD: optionalString(),
    /** Tenant admins (`user:scrypt-hash:Cust1,Cust2`, space-separated): each sees only its tenants. */
    ADMIN_USERS: adminUsers(),
    /** Bull Board may retry, remove and promote jobs; read-only otherwise. */
    ADMIN_WRITE: booleanFlag(false),
    /** Which proxies in front are believed (X-Forwarded-Proto/-For): HTTPS → Secure cookie. */
    TRUST_PROXY: trustProxy(),
    /** The worker's UDF keys: the dashboard names the fields written (Vertical, Summary, …). */
    SO_UDF_VERTICAL: udfKey,
    SO_UDF_SUMMARY: udfKey,
    SO_UDF_OPENER: udfKey,
    SO_UDF_PERSON_OPENER: udfKey,
  })
  .superRefine((env, ctx) => {
    refineRedis(env, ctx);
    if ((env.ADMIN_USER === undefined) !== (env.ADMIN_PASSWORD === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.ADMIN_USER === undefined ? 'ADMIN_USER' : 'ADMIN_PASSWORD'],
        message:
          'must be set together with ADMIN_USER/ADMIN_PASSWORD (or leave both unset: no admin UI)',
      });
    }
    refineAdminUsers(env, ctx);
    if (env.ADMIN_PASSWORD !== undefined && env.ADMIN_PASSWORD.length < 12) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADMIN_PASSWORD'],
        message: 'must be at least 12 characters',
      });
    }
    if (env.WEBHOOK_SECRET.length === 0 && env.WEBHOOK_TOKEN === undefined && !env.ALLOW_UNSIGNED) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_SECRET'],
        message:
          'is required: set the webhook secret (or the legacy WEBHOOK_TOKEN); ALLOW_UNSIGNED=true accepts unsigned webhooks, for local use only',
      });
    }
  });

export type ReceiverEnv = z.output<typeof receiverEnvSchema>;

const ENVIRONMENTS = ['sod', 'qaonline', 'online'] as const;
const httpUrl = (expected: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .trim()
      .regex(/^https?:\/\/[^\s]+$/, { error: `expected ${expected}` })
      .optional(),
  );

/** The worker: SuperOffice credentials, UDF targets, enrichment provider, pacing. */
export const workerEnvSchema = z
  .object({
    ...commonShape,
    ...tenantShape,
    ...tenantsShape,
    SO_CLIENT_ID: optionalString(),
    SO_CLIENT_SECRET: optionalString(),
    SO_REFRESH_TOKEN: optionalString(),
    SO_REDIRECT_URI: optionalString(),
    SO_ENVIRONMENT: oneOf(ENVIRONMENTS, 'online'),
    SO_API_BASE_URL: httpUrl(
      'the tenant Api URL, e.g. https://online2.superoffice.com/Cust12345/api',
    ),
    SO_TOKEN_URL: httpUrl('the OAuth token endpoint URL'),
    SO_UDF_WRITE_MODE: oneOf(['json-patch', 'get-put'] as const, 'json-patch'),
    SO_UDF_VERTICAL: udfKey,
    SO_UDF_SUMMARY: udfKey,
    SO_UDF_OPENER: udfKey,
    SO_UDF_PERSON_OPENER: udfKey,
    SO_OWN_ASSOCIATE_ID: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z
        .string()
        .trim()
        .regex(/^\d+$/, { error: 'expected the associate id of the API user (a whole number)' })
        .transform(Number)
        .optional(),
    ),
    SO_RATE_LIMIT_PER_SECOND: integer(1, 1000, 10),
    SCOPE_OWNER_ASSOCIATES: commaList(),
    ENRICHMENT_PROVIDER: oneOf(['builtin', 'company-explorer', 'openai'] as const, 'builtin'),
    COMPANY_EXPLORER_URL: httpUrl('the Company Explorer base URL'),
    COMPANY_EXPLORER_API_KEY: optionalString(),
    OPENAI_BASE_URL: httpUrl('an OpenAI-compatible base URL such as https://api.openai.com/v1'),
    OPENAI_API_KEY: optionalString(),
    OPENAI_MODEL: stringWithDefault('gpt-4o-mini'),
    PROVIDER_TIMEOUT_MS: integer(100, 600_000, 30_000),
    WORKER_CONCURRENCY: integer(1, 100, 4),
    /**
     * Jobs of one tenant at once per process in so-enrich and so-maintenance (with two tenants or
     * more); unset = half of WORKER_CONCURRENCY, at least 1; 0 = no cap.
     */
    TENANT_MAX_IN_FLIGHT: optionalInteger(0, 100),
    ENRICH_DEBOUNCE_MS: integer(0, 3_600_000, 10_000),
    ENRICH_MAX_WAIT_MS: integer(0, 24 * 3_600_000, 120_000),
    ENRICH_ATTEMPTS: integer(1, 50, 8),
    ENRICH_BACKOFF_MS: integer(10, 600_000, 2000),
    /** The longest wait between two attempts (the exponential backoff stops growing here). */
    ENRICH_BACKOFF_MAX_MS: integer(10, 3_600_000, 300_000),
    /** How long a provider answer is kept for retries and other jobs with the same inputs (ms). */
    PROVIDER_RESULT_TTL_MS: integer(1000, 30 * 24 * 3_600_000, 24 * 3_600_000),
    /** Sync-run facts (the dashboard's activity log) older than this are dropped (ms). */
    SYNC_RUN_RETENTION_MS: integer(3_600_000, 365 * 24 * 3_600_000, 14 * 24 * 3_600_000),
    /** At most this many sync-run facts per account; the oldest go first. */
    SYNC_RUN_MAX_FACTS_PER_ACCOUNT: integer(10, 1_000_000, 2000),
    /** At most this many accounts with sync-run facts per tenant; the least recently active go first. */
    SYNC_RUN_MAX_ACCOUNTS: integer(10, 100_000_000, 100_000),
    /** Replace the relevant `Changes` columns of the filter (comma-separated); empty = DESIGN.md's defaults. */
    FILTER_CONTACT_CHANGES: commaList(),
    FILTER_PERSON_CHANGES: commaList(),
    FILTER_ENRICH_ON_CREATE: booleanFlag(true),
    WORKER_LOCK_DURATION_MS: integer(1000, 600_000, 30_000),
    OWN_ASSOCIATE_REFRESH_MS: integer(10_000, 24 * 3_600_000, 3_600_000),
    SHUTDOWN_TIMEOUT_MS: integer(100, 600_000, 30_000),
    /** Webhook watchdog period (so-maintenance); 0 turns it off. */
    WATCHDOG_INTERVAL_MS: integer(0, 24 * 3_600_000, 5 * 60_000),
    /** Reconciliation sweep period (so-maintenance); 0 turns the schedule off. */
    RECONCILE_INTERVAL_MS: integer(0, 7 * 24 * 3_600_000, 30 * 60_000),
    /** The receiver's public webhook URL: marks which SuperOffice webhooks are this connector's. */
    WEBHOOK_PUBLIC_URL: httpUrl(
      'the https URL SuperOffice posts to, e.g. https://so.example.com/webhooks/superoffice',
    ),
    /** Port of the worker's Prometheus /metrics; 0 = none. */
    METRICS_PORT: integer(0, 65535, 9464),
  })
  .superRefine((env, ctx) => {
    refineRedis(env, ctx);
    const need = (variable: keyof typeof env, why: string) => {
      if (env[variable] === undefined)
        ctx.addIssue({ code: 'custom', path: [variable], message: `is required ${why}` });
    };
    need('SO_CLIENT_ID', 'to call SuperOffice (the app id)');
    need('SO_CLIENT_SECRET', 'to call SuperOffice (the app token)');
    need('SO_REFRESH_TOKEN', 'to call SuperOffice (from the app authorisation)');
    if (env.ENRICHMENT_PROVIDER === 'company-explorer') {
      need('COMPANY_EXPLORER_URL', 'when ENRICHMENT_PROVIDER=company-explorer');
      need('COMPANY_EXPLORER_API_KEY', 'when ENRICHMENT_PROVIDER=company-explorer');
    }
    if (env.ENRICHMENT_PROVIDER === 'openai') {
      need('OPENAI_BASE_URL', 'when ENRICHMENT_PROVIDER=openai');
      need('OPENAI_API_KEY', 'when ENRICHMENT_PROVIDER=openai');
    }
    if (
      !env.SO_UDF_VERTICAL &&
      !env.SO_UDF_SUMMARY &&
      !env.SO_UDF_OPENER &&
      !env.SO_UDF_PERSON_OPENER
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['SO_UDF_VERTICAL'],
        message:
          'or another SO_UDF_* key is required: the worker needs at least one field to write',
      });
    }
    if (env.ENRICH_BACKOFF_MAX_MS < env.ENRICH_BACKOFF_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['ENRICH_BACKOFF_MAX_MS'],
        message: 'must not be shorter than ENRICH_BACKOFF_MS',
      });
    }
    if (env.ENRICH_MAX_WAIT_MS < env.ENRICH_DEBOUNCE_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['ENRICH_MAX_WAIT_MS'],
        message: 'must not be shorter than ENRICH_DEBOUNCE_MS',
      });
    }
  });

export type WorkerEnv = z.output<typeof workerEnvSchema>;
