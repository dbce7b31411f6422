import type {
  CliConfig,
  ConfigProblem,
  ConfigSection,
  SuperOfficeConfig,
} from '@so-connector/config';
import {
  tenantFromEnvironment,
  type TenantConfig,
  type TenantDefaults,
  type TenantSourceName,
} from '@so-connector/tenants';

/** The variable (or place) a tenant's settings come from, for problem lines. */
export function sourceLabel(source: TenantSourceName): string {
  return source === 'environment'
    ? 'SO_CONTEXT_IDENTIFIER'
    : source === 'file'
      ? 'TENANTS_FILE'
      : 'the tenant store';
}

/** The environment's one tenant as the registry sees it, from the sections that are valid. */
export function environmentTenant(config: CliConfig): TenantConfig | undefined {
  if (config.tenant === undefined) return undefined;
  return tenantFromEnvironment({
    tenant: config.tenant,
    ...(config.webhook.ok ? { webhook: config.webhook.value } : {}),
    ...(config.superoffice.ok ? { superoffice: config.superoffice.value } : {}),
    ...(config.udfs.ok ? { udfs: config.udfs.value } : {}),
    ...(config.enrichment.ok ? { enrichment: config.enrichment.value } : {}),
    scopeOwnerAssociates: config.scopeOwnerAssociates,
  });
}

/** What a TENANTS_FILE or `tenants add` tenant inherits: SO_ENVIRONMENT and the provider. */
export function tenantDefaults(config: CliConfig): TenantDefaults {
  return {
    environment: config.superofficeEnvironment,
    ...(config.enrichment.ok ? { provider: config.enrichment.value } : {}),
  };
}

function superofficeFor(
  config: CliConfig,
  tenant: TenantConfig,
  source: TenantSourceName,
): ConfigSection<SuperOfficeConfig> {
  if (!config.app.ok) return config.app;
  const problem = (message: string): ConfigProblem => ({
    variable: `--tenant ${tenant.contextIdentifier}`,
    message: `(from ${sourceLabel(source)}) ${message}`,
  });
  const credentials = tenant.credentials;
  if (credentials === undefined)
    return { ok: false, problems: [problem('has no SuperOffice credentials')] };
  if (credentials.kind === 'system-user' && config.appPrivateKeyFile === undefined)
    return {
      ok: false,
      problems: [
        problem(
          "signs in as a system user (systemUserToken): set SO_APP_PRIVATE_KEY_FILE (the app's RSA private key)",
        ),
      ],
    };
  return {
    ok: true,
    value: {
      ...config.app.value,
      environment: tenant.environment,
      // A system user signs in with the selected tenant's credentials (CliContext.superOffice).
      refreshToken: credentials.kind === 'refresh-token' ? credentials.refreshToken : '',
      apiBaseUrl: tenant.apiBaseUrl,
      tokenUrl: tenant.tokenUrl,
      ownAssociateId: tenant.ownAssociateId,
    },
  };
}

/**
 * The CLI configuration with one tenant's settings in place of the environment's one tenant:
 * its credentials (with the app identity of the environment), API and token URLs, UDF map,
 * provider, webhook secrets and owner scope. Redis, queue and pacing stay the deployment's.
 */
export function configForTenant(
  config: CliConfig,
  tenant: TenantConfig,
  source: TenantSourceName,
): CliConfig {
  const publicUrl = config.webhook.ok ? config.webhook.value.publicUrl : undefined;
  const next: CliConfig = {
    ...config,
    tenant: { contextIdentifier: tenant.contextIdentifier },
    superofficeEnvironment: tenant.environment,
    scopeOwnerAssociates: tenant.ownerScope,
    superoffice: superofficeFor(config, tenant, source),
    udfs: { ok: true, value: { ...tenant.udf } },
    enrichment: { ok: true, value: tenant.provider },
    webhook: config.webhook.ok
      ? {
          ok: true,
          value: { publicUrl, secrets: tenant.webhookSecrets, token: tenant.webhookToken },
        }
      : config.webhook,
  };
  return Object.freeze(next);
}
