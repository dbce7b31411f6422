import { z } from 'zod';
import {
  booleanFlag,
  commaList,
  integer,
  oneOf,
  optionalString,
  redisUrl,
  stringWithDefault,
} from './parsers';

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
  'REDIS_URL',
]);

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

/** Variables every process shares: Redis, queue naming and logging. */
const commonShape = {
  REDIS_URL: redisUrl('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: stringWithDefault('so', {
    // A Redis Cluster hash tag such as `{so}` keeps all of a queue's keys in one slot.
    regex: /^[A-Za-z0-9_.\-{}]+$/,
    expected: 'letters, digits, "_", "-", "." or a hash tag such as {so}',
  }),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
  LOG_FORMAT: oneOf(['json', 'pretty'] as const, 'json'),
};

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

export const receiverEnvSchema = z
  .object({
    ...commonShape,
    ...tenantShape,
    PORT: integer(0, 65535, 3000),
    WEBHOOK_SECRET: commaList(),
    WEBHOOK_TOKEN: optionalString(),
    ALLOW_UNSIGNED: booleanFlag(false),
    SPOOL_DIR: stringWithDefault('./var/spool'),
    DEDUP_WINDOW_SECONDS: integer(60, 30 * 24 * 3600, 24 * 3600),
    SHUTDOWN_TIMEOUT_MS: integer(100, 120_000, 10_000),
  })
  .superRefine((env, ctx) => {
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
