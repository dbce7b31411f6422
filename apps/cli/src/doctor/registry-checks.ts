import { readFileSync } from 'node:fs';
import type { CliConfig } from '@so-connector/config';
import type { TenantConfig, TenantSourceName } from '@so-connector/tenants';
import type { CliContext } from '../context';
import { describeError } from '../errors';
import { superOfficeHandle } from '../superoffice-handle';
import { configForTenant } from '../tenants/settings';
import { fail, warn, type CheckResult } from './check-result';
import { providerCheck, superOfficeChecks, type DoctorOptions } from './superoffice-checks';
import { tenantChecks } from './tenant-checks';

/**
 * A deployment without an environment tenant (TENANTS_FILE or the store alone, docs/tenants.md
 * "Without an environment tenant") and no `--tenant`: every registered tenant is checked with its
 * own settings, as the worker would call SuperOffice and the provider for it. Each result names
 * its tenant. Providers with the same settings are called once.
 */
export async function registeredTenantChecks(
  ctx: CliContext,
  base: CliConfig,
  opts: DoctorOptions,
): Promise<CheckResult[]> {
  let tenants: { tenant: TenantConfig; source: TenantSourceName }[];
  try {
    const registry = await ctx.tenantRegistry();
    tenants = registry.list().map((tenant) => ({
      tenant,
      source: registry.sourceOf(tenant.contextIdentifier) ?? 'store',
    }));
  } catch (error) {
    return [
      fail(
        'tenants',
        `the tenant registry did not load: ${describeError(error).message}`,
        'fix TENANTS_FILE or TENANT_SECRETS_KEY (docs/tenants.md)',
      ),
    ];
  }
  if (tenants.length === 0) {
    const results = [
      warn(
        'tenants',
        'no tenant is registered (SO_CONTEXT_IDENTIFIER unset, TENANTS_FILE and the store empty): every webhook is refused until one is',
        'onboard a tenant (/admin/tenants or so-connector tenants add) or list it in TENANTS_FILE',
      ),
    ];
    await providerCheck(base.enrichment, results);
    return results;
  }
  const results: CheckResult[] = [];
  const providers = new Map<string, CheckResult[]>();
  for (const { tenant, source } of tenants) {
    const ctxId = tenant.contextIdentifier;
    const config = configForTenant(base, tenant, source);
    const own: CheckResult[] = [...tenantChecks({ tenant, source }, config)];
    if (config.superoffice.ok) {
      const settings = config.superoffice.value;
      ctx.out.progress(`checking SuperOffice for ${ctxId}`);
      await superOfficeChecks(
        {
          config,
          contextIdentifier: ctxId,
          superOffice: () =>
            superOfficeHandle(settings, ctxId, tenant.credentials, appPrivateKey(base, tenant)),
        },
        own,
        opts,
      );
    }
    // Tenants that share the deployment's provider (or the same settings) need one call, not one each.
    const providerKey = JSON.stringify(config.enrichment);
    let provider = providers.get(providerKey);
    if (!provider) {
      provider = [];
      ctx.out.progress(`checking the enrichment provider for ${ctxId}`);
      await providerCheck(config.enrichment, provider);
      providers.set(providerKey, provider);
    }
    own.push(...provider);
    results.push(...own.map((r) => ({ ...r, tenant: ctxId })));
  }
  return results;
}

/** SO_APP_PRIVATE_KEY_FILE's PEM for a system-user tenant (configForTenant asks for the file). */
function appPrivateKey(config: CliConfig, tenant: TenantConfig): string | undefined {
  const file = config.appPrivateKeyFile;
  return tenant.credentials?.kind === 'system-user' && file !== undefined
    ? readFileSync(file, 'utf8')
    : undefined;
}
