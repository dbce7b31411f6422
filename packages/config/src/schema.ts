import { z } from 'zod';
import { adminUsers, refineAdminUsers } from './admin-users';
import {
  appPrivateKeyFile,
  booleanFlag,
  commaList,
  integer,
  oneOf,
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

/**
 * The largest QUEUE_PARTITIONS. A worker process runs a BullMQ Worker, with a blocking connection
 * of its own, per queue and partition (2N+1), so Redis needs maxclients ≥ worker processes × (2N+1)
 * plus the rest; 16 is what the e2e suite and the worker's start-up check (which reads every
 * partition up to it) are built for. More is not measured.
 */
export const MAX_QUEUE_PARTITIONS = 16;

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

/** Variables every process shares: Redis (single node, Sentinel or Cluster), queue naming and logging. */
export const commonShape = {
  ...redisShape,
  QUEUE_PREFIX: stringWithDefault('so', {
    // A Redis Cluster hash tag such as `{so}` keeps all of a queue's keys in one slot.
    regex: /^[A-Za-z0-9_.\-{}]+$/,
    expected: 'letters, digits, "_", "-", "." or a hash tag such as {so}',
  }),
  // How many partitions so-events and so-enrich are split into (docs/architecture.md
  // "Partitions"): each has its own hash tag, so on a Redis Cluster they spread over the masters.
  QUEUE_PARTITIONS: integer(1, MAX_QUEUE_PARTITIONS, 1),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
  LOG_FORMAT: oneOf(['json', 'pretty'] as const, 'json'),
};

export const udfKey = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z
    .string()
    .trim()
    .regex(/^[^\s]+$/, { error: 'expected a UDF ProgId such as SuperOffice:83' })
    .optional(),
);

const tenantId = z
  .string({ error: 'is required: the SuperOffice tenant id, e.g. Cust12345' })
  .trim()
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'expected a tenant id such as Cust12345' });
const blankAsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** The environment's one tenant (the one-tenant shorthand; see DESIGN.md "Many tenants"). */
export const tenantShape = { SO_CONTEXT_IDENTIFIER: z.preprocess(blankAsUnset, tenantId) };

/** The same, optional: when TENANTS_FILE or TENANT_SECRETS_KEY can give the tenants instead. */
export const optionalTenantShape = {
  SO_CONTEXT_IDENTIFIER: z.preprocess(blankAsUnset, tenantId.optional()),
};

/**
 * Whether the environment may name no tenant: TENANTS_FILE or TENANT_SECRETS_KEY (the onboarded
 * store) is set, so the tenants can come from there (the CLI's rule too).
 */
export function environmentTenantOptional(
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return Boolean(env.TENANTS_FILE?.trim() || env.TENANT_SECRETS_KEY?.trim());
}

/**
 * Many tenants (DESIGN.md "Many tenants", docs/tenants.md): where tenants beyond the environment's
 * one come from, the key their stored secrets are encrypted with, and the app's private key.
 */
export const tenantsShape = {
  /** YAML or JSON file of tenants; re-read when it changes. */
  TENANTS_FILE: optionalString(),
  /** AES-256-GCM key of the onboarded tenants' secrets in Redis. */
  TENANT_SECRETS_KEY: secretsKey(),
  /** The app's RSA private key (PEM) that signs system-user tokens (superoffice-api.md §5.5). */
  SO_APP_PRIVATE_KEY_FILE: appPrivateKeyFile(),
};

const receiverShape = {
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
};

type ReceiverShapeEnv = z.output<z.ZodObject<typeof receiverShape>>;
export type RefineContext = z.RefinementCtx;

/** The receiver's cross-field rules; the webhook secret is the environment tenant's, when it has one. */
function refineReceiver(
  env: Omit<ReceiverShapeEnv, 'SO_CONTEXT_IDENTIFIER'> & {
    SO_CONTEXT_IDENTIFIER?: string | undefined;
  },
  ctx: RefineContext,
  requireEnvTenant: boolean,
): void {
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
  const envTenant = requireEnvTenant || env.SO_CONTEXT_IDENTIFIER !== undefined;
  // Without the tenant's ContextIdentifier its secret would be ignored without a word (and its
  // webhooks refused): a blank or forgotten SO_CONTEXT_IDENTIFIER is said, as it always was.
  if (!envTenant && (env.WEBHOOK_SECRET.length > 0 || env.WEBHOOK_TOKEN !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['SO_CONTEXT_IDENTIFIER'],
      message:
        "is required when WEBHOOK_SECRET or WEBHOOK_TOKEN is set (the environment's tenant); with TENANTS_FILE alone, unset those",
    });
  }
  if (
    envTenant &&
    env.WEBHOOK_SECRET.length === 0 &&
    env.WEBHOOK_TOKEN === undefined &&
    !env.ALLOW_UNSIGNED
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['WEBHOOK_SECRET'],
      message:
        'is required: set the webhook secret (or the legacy WEBHOOK_TOKEN); ALLOW_UNSIGNED=true accepts unsigned webhooks, for local use only',
    });
  }
}

/** The receiver's variables: the environment's tenant is required (no TENANTS_FILE, no store). */
export const receiverEnvSchema = z
  .object(receiverShape)
  .superRefine((env, ctx) => refineReceiver(env, ctx, true));

/** The receiver's variables when TENANTS_FILE or TENANT_SECRETS_KEY is set: no tenant required. */
export const receiverEnvSchemaWithoutTenant = z
  .object({ ...receiverShape, ...optionalTenantShape })
  .superRefine((env, ctx) => refineReceiver(env, ctx, false));

export type ReceiverEnv = z.output<typeof receiverEnvSchemaWithoutTenant>;
