// Test support, imported as `@so-connector/tenants/testing` by the tests of every package that
// needs a tenant; never by production code.
import type { TenantConfig } from './tenant-config';

/** A valid tenant (builtin provider, refresh token, one secret); override what the test is about. */
export function aTenant(
  contextIdentifier: string,
  overrides: Partial<TenantConfig> = {},
): TenantConfig {
  return {
    contextIdentifier,
    webhookSecrets: [`whsec-${contextIdentifier}`],
    webhookToken: undefined,
    credentials: { kind: 'refresh-token', refreshToken: `rt-${contextIdentifier}` },
    environment: 'online',
    apiBaseUrl: undefined,
    tokenUrl: undefined,
    udf: {
      vertical: 'SuperOffice:83',
      summary: undefined,
      opener: undefined,
      personOpener: undefined,
    },
    ownerScope: [],
    ownAssociateId: undefined,
    budget: { providerCallsPerHour: undefined, superofficeCallsPerMinute: undefined },
    provider: { provider: 'builtin' },
    ...overrides,
  };
}
