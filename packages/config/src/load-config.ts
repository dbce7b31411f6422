import type { z } from 'zod';
import { receiverEnvSchema, SECRET_VARIABLES, type ReceiverEnv } from './schema';
import type { LOG_LEVELS } from './schema';

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
  readonly http: { readonly port: number; readonly shutdownTimeoutMs: number };
  readonly webhook: WebhookAuthConfig;
  readonly spool: { readonly dir: string };
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

function deepFreeze<T extends object>(value: T): T {
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
    http: { port: env.PORT, shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS },
    webhook: {
      secrets: env.WEBHOOK_SECRET,
      token: env.WEBHOOK_TOKEN,
      allowUnsigned: env.ALLOW_UNSIGNED,
    },
    spool: { dir: env.SPOOL_DIR },
  });
}

/**
 * Reads and validates the receiver's configuration. Call it from `main.ts`, never at import time.
 * @throws ConfigError with one line naming each invalid variable (secret values are never shown).
 */
export function loadReceiverConfig(env: Env = process.env): ReceiverConfig {
  return toReceiverConfig(parseEnv(receiverEnvSchema, env));
}
