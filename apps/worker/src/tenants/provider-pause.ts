import { createHash } from 'node:crypto';
import type { EnrichmentSettings } from '@so-connector/config';
import { ProviderError, type EnrichmentProvider } from '@so-connector/enrichment';
import type { TenantPauses } from './tenant-pause';

/**
 * What a provider's rate limit belongs to: its type, URL and API key, hashed (SHA-256, 24 hex
 * digits), so the key itself is never written to Redis or a log. Tenants with the same settings
 * (the deployment's provider, or one key in several tenants' `provider`) get the same id;
 * `builtin` calls no one and has none.
 */
export function providerCredentialId(settings: EnrichmentSettings): string | undefined {
  if (settings.provider === 'builtin') return undefined;
  return createHash('sha256')
    .update(`${settings.provider}\n${settings.baseUrl}\n${settings.apiKey}`)
    .digest('hex')
    .slice(0, 24);
}

/**
 * The tenant's provider, paused with every tenant that shares its credential: a `Retry-After`
 * (429, or 503 with it) from the provider pauses the credential (shared by every worker process)
 * as well as the tenant (the caller's TenantPauses.pause), and a call while the credential is
 * paused is not made: it throws the tenant's TenantPausedError until the credential's pause ends
 * (the job waits delayed, no attempt used). Without a credential (builtin), the provider itself.
 */
export function withProviderPause(
  provider: EnrichmentProvider,
  tenant: string,
  settings: EnrichmentSettings,
  pauses: TenantPauses,
): EnrichmentProvider {
  const credential = providerCredentialId(settings);
  if (credential === undefined) return provider;
  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    const now = Date.now();
    const until = await pauses.credentialPausedUntil(credential, now);
    // The tenant is paused too, until the same end: the dashboard shows it, and its later jobs
    // wait before they start (servePerTenant) instead of each reading the credential's pause.
    if (until !== undefined) throw await pauses.pause(tenant, 'provider', until - now, now);
    try {
      return await run();
    } catch (error) {
      // The provider's error is what the job reports (and what pauses the tenant itself): a
      // Redis failure while pausing the shared credential must not replace it.
      if (error instanceof ProviderError && error.retryable && error.retryAfterMs)
        await pauses.pauseCredential(credential, error.retryAfterMs).catch(() => undefined);
      throw error;
    }
  };
  return {
    name: provider.name,
    enrichCompany: (company, context) => call(() => provider.enrichCompany(company, context)),
    personOpener: (person, company) => call(() => provider.personOpener(person, company)),
  };
}
