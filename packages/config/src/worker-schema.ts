import { z } from 'zod';
import {
  booleanFlag,
  commaList,
  integer,
  oneOf,
  optionalInteger,
  optionalString,
  stringWithDefault,
} from './parsers';
import { refineRedis } from './redis-env';
import {
  commonShape,
  optionalTenantShape,
  tenantShape,
  tenantsShape,
  udfKey,
  type RefineContext,
} from './schema';

const ENVIRONMENTS = ['sod', 'qaonline', 'online'] as const;

/** EVENTS_CONCURRENCY's default (the benchmark of the skip path runs at it). */
export const EVENTS_CONCURRENCY_DEFAULT = 64;
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
const workerShape = {
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
   * so-events jobs at once per partition and process. The stage calls nothing outside Redis, and
   * the jobs in flight share their sync-run writes (one script per batch), so more of them means
   * fewer, larger writes (bench/RESULTS.md section 2).
   */
  EVENTS_CONCURRENCY: integer(1, 1000, EVENTS_CONCURRENCY_DEFAULT),
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
};

type WorkerShapeEnv = z.output<z.ZodObject<typeof workerShape>>;

/**
 * The worker's cross-field rules. The app identity (SO_CLIENT_ID/SECRET) is every tenant's; the
 * refresh token and the UDF keys are the environment tenant's, required only when it has one.
 */
function refineWorker(
  env: Omit<WorkerShapeEnv, 'SO_CONTEXT_IDENTIFIER'> & {
    SO_CONTEXT_IDENTIFIER?: string | undefined;
  },
  ctx: RefineContext,
  requireEnvTenant: boolean,
): void {
  refineRedis(env, ctx);
  const envTenant = requireEnvTenant || env.SO_CONTEXT_IDENTIFIER !== undefined;
  const need = (variable: keyof typeof env, why: string) => {
    if (env[variable] === undefined)
      ctx.addIssue({ code: 'custom', path: [variable], message: `is required ${why}` });
  };
  need('SO_CLIENT_ID', 'to call SuperOffice (the app id)');
  need('SO_CLIENT_SECRET', 'to call SuperOffice (the app token)');
  if (envTenant) need('SO_REFRESH_TOKEN', 'to call SuperOffice (from the app authorisation)');
  // Without the tenant's ContextIdentifier its refresh token would be ignored without a word.
  else if (env.SO_REFRESH_TOKEN !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['SO_CONTEXT_IDENTIFIER'],
      message:
        "is required when SO_REFRESH_TOKEN is set (the environment's tenant); with TENANTS_FILE alone, unset it",
    });
  if (env.ENRICHMENT_PROVIDER === 'company-explorer') {
    need('COMPANY_EXPLORER_URL', 'when ENRICHMENT_PROVIDER=company-explorer');
    need('COMPANY_EXPLORER_API_KEY', 'when ENRICHMENT_PROVIDER=company-explorer');
  }
  if (env.ENRICHMENT_PROVIDER === 'openai') {
    need('OPENAI_BASE_URL', 'when ENRICHMENT_PROVIDER=openai');
    need('OPENAI_API_KEY', 'when ENRICHMENT_PROVIDER=openai');
  }
  if (
    envTenant &&
    !env.SO_UDF_VERTICAL &&
    !env.SO_UDF_SUMMARY &&
    !env.SO_UDF_OPENER &&
    !env.SO_UDF_PERSON_OPENER
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['SO_UDF_VERTICAL'],
      message: 'or another SO_UDF_* key is required: the worker needs at least one field to write',
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
}

/** The worker's variables: the environment's tenant is required (no TENANTS_FILE, no store). */
export const workerEnvSchema = z
  .object(workerShape)
  .superRefine((env, ctx) => refineWorker(env, ctx, true));

/** The worker's variables when TENANTS_FILE or TENANT_SECRETS_KEY is set: no tenant required. */
export const workerEnvSchemaWithoutTenant = z
  .object({ ...workerShape, ...optionalTenantShape })
  .superRefine((env, ctx) => refineWorker(env, ctx, false));

export type WorkerEnv = z.output<typeof workerEnvSchemaWithoutTenant>;
