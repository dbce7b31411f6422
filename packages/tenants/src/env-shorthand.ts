import type {
  EnrichmentSettings,
  SuperOfficeConfig,
  UdfTargetsConfig,
  WebhookAuthConfig,
  WorkerConfig,
} from '@so-connector/config';
import type { TenantDefaults } from './schema';
import type { TenantConfig } from './tenant-config';

/**
 * What the receiver's and the worker's configurations hold about the one tenant of the environment
 * (SO_CONTEXT_IDENTIFIER, WEBHOOK_SECRET, SO_REFRESH_TOKEN, SO_UDF_*, ...). Pass a `ReceiverConfig`,
 * a `WorkerConfig`, or both spread into one object: each process knows only its half.
 */
export interface EnvironmentTenantSource {
  readonly tenant: { readonly contextIdentifier: string };
  /** The receiver's webhook settings. */
  readonly webhook?: Pick<WebhookAuthConfig, 'secrets' | 'token'>;
  /** The worker's SuperOffice settings (the app identity in it is shared, not the tenant's). */
  readonly superoffice?: Pick<
    SuperOfficeConfig,
    'environment' | 'refreshToken' | 'apiBaseUrl' | 'tokenUrl' | 'ownAssociateId'
  >;
  readonly udfs?: UdfTargetsConfig;
  readonly enrichment?: EnrichmentSettings;
  readonly scopeOwnerAssociates?: readonly string[];
}

/**
 * The environment shorthand: the one tenant of a single-tenant deployment, built from the already
 * loaded configuration so it means exactly what those variables mean today. There is no per-tenant
 * budget in the environment (SO_RATE_LIMIT_PER_SECOND stays the worker's deployment-wide limit).
 */
export function tenantFromEnvironment(source: EnvironmentTenantSource): TenantConfig;
/** None when the environment names no tenant (TENANTS_FILE or the store give them all). */
export function tenantFromEnvironment(
  source: Omit<EnvironmentTenantSource, 'tenant'> & { readonly tenant: undefined },
): undefined;
export function tenantFromEnvironment(
  source: Omit<EnvironmentTenantSource, 'tenant'> & {
    readonly tenant: EnvironmentTenantSource['tenant'] | undefined;
  },
): TenantConfig | undefined;
export function tenantFromEnvironment(
  source: Omit<EnvironmentTenantSource, 'tenant'> & {
    readonly tenant: EnvironmentTenantSource['tenant'] | undefined;
  },
): TenantConfig | undefined {
  if (source.tenant === undefined) return undefined;
  const so = source.superoffice;
  return {
    contextIdentifier: source.tenant.contextIdentifier,
    webhookSecrets: [...(source.webhook?.secrets ?? [])],
    webhookToken: source.webhook?.token,
    credentials:
      so?.refreshToken === undefined
        ? undefined
        : { kind: 'refresh-token', refreshToken: so.refreshToken },
    environment: so?.environment ?? 'online',
    apiBaseUrl: so?.apiBaseUrl,
    tokenUrl: so?.tokenUrl,
    udf: {
      vertical: source.udfs?.vertical,
      summary: source.udfs?.summary,
      opener: source.udfs?.opener,
      personOpener: source.udfs?.personOpener,
    },
    ownerScope: [...(source.scopeOwnerAssociates ?? [])],
    ownAssociateId: so?.ownAssociateId,
    budget: { providerCallsPerHour: undefined, superofficeCallsPerMinute: undefined },
    provider: source.enrichment ?? { provider: 'builtin' },
  };
}

/** The defaults a TENANTS_FILE tenant inherits in the worker: SO_ENVIRONMENT and the provider. */
export function defaultsFromWorkerConfig(
  config: Pick<WorkerConfig, 'superoffice' | 'enrichment'>,
): TenantDefaults {
  return { environment: config.superoffice.environment, provider: config.enrichment };
}
