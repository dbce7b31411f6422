import type { TenantConfig } from '../src';

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

/** The error `run` throws, checked to be of `type` (so a test can assert on its fields). */
export function thrownBy<E extends Error>(
  run: () => unknown,
  type: new (...args: never[]) => E,
): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}`);
}
