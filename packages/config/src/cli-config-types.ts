import type { ConfigProblem } from './cli-problems';
import type {
  EnrichmentSettings,
  LogConfig,
  RedisConfig,
  SuperOfficeConfig,
  TenantIdentity,
  TenantsSettings,
  UdfTargetsConfig,
} from './config-types';

/** The operator CLI's configuration types (`loadCliConfig`, `inspectCliConfig`). */

/**
 * A part of the configuration that only some commands need: parsed up front, but its problems
 * are reported only when a command asks for it (`requireSection`).
 */
export type ConfigSection<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export interface CliWebhookConfig {
  /** WEBHOOK_PUBLIC_URL: the receiver's public URL, which marks this connector's webhooks. */
  readonly publicUrl: string | undefined;
  /** WEBHOOK_SECRET (current first): lets `doctor` compare it with the registered webhook's. */
  readonly secrets: readonly string[];
  /** WEBHOOK_TOKEN: the legacy `?token=` of the environment's tenant. */
  readonly token: string | undefined;
}

/** The app's own SuperOffice identity and pacing, shared by every tenant (no tenant credential). */
export type SuperOfficeAppConfig = Pick<
  SuperOfficeConfig,
  | 'clientId'
  | 'clientSecret'
  | 'redirectUri'
  | 'udfWriteMode'
  | 'rateLimitPerSecond'
  | 'ownAssociateRefreshMs'
>;

/** The operator CLI's configuration. Redis, queue and tenant are always required. */
export interface CliConfig {
  readonly redis: RedisConfig;
  readonly queue: { readonly prefix: string; readonly partitions: number };
  readonly log: LogConfig;
  /**
   * The environment's one tenant (SO_CONTEXT_IDENTIFIER). Required as always, except when
   * TENANTS_FILE or TENANT_SECRETS_KEY is set: then tenants may come from there (`--tenant`).
   */
  readonly tenant: TenantIdentity | undefined;
  readonly tenants: TenantsSettings;
  /** SO_APP_PRIVATE_KEY_FILE, checked readable and an RSA private key. */
  readonly appPrivateKeyFile: string | undefined;
  /** SO_ENVIRONMENT (`online` while it is invalid; the superoffice section names the problem). */
  readonly superofficeEnvironment: SuperOfficeConfig['environment'];
  /** SCOPE_OWNER_ASSOCIATES: the environment tenant's owner scope. */
  readonly scopeOwnerAssociates: readonly string[];
  /** Retry policy of the enrichments the CLI enqueues (the worker's ENRICH_* settings). */
  readonly enrich: { readonly attempts: number; readonly maxWaitMs: number };
  readonly superoffice: ConfigSection<SuperOfficeConfig>;
  /** The app identity alone: what a tenant from TENANTS_FILE or Redis is called with. */
  readonly app: ConfigSection<SuperOfficeAppConfig>;
  readonly udfs: ConfigSection<UdfTargetsConfig>;
  readonly enrichment: ConfigSection<EnrichmentSettings>;
  readonly webhook: ConfigSection<CliWebhookConfig>;
  /**
   * Problems of worker-only variables (concurrency, filters, intervals, …): the CLI does not use
   * them, but `doctor` reports them because the worker would refuse to start.
   */
  readonly workerProblems: readonly ConfigProblem[];
}

/** Every problem found, including those of the sections; `config` is undefined when the always-required part is invalid. */
export interface CliConfigInspection {
  readonly config: CliConfig | undefined;
  readonly problems: readonly ConfigProblem[];
}
