import type { SuperOfficeConfig } from '@so-connector/config';
import {
  createSuperOfficeAuth,
  fixedTenantUrl,
  statusTenantUrl,
  SuperOfficeClient,
  tenantStatusUrlFor,
  type AuthProvider,
  type SuperOfficeCredentials,
  type TenantUrlResolver,
} from '@so-connector/superoffice-client';

/** The pieces of a SuperOffice connection; `doctor` and `whoami` check them one by one. */
export interface SuperOfficeHandle {
  readonly settings: SuperOfficeConfig;
  readonly auth: AuthProvider;
  readonly tenantUrl: TenantUrlResolver;
  readonly client: SuperOfficeClient;
}

/**
 * The SuperOffice client of one tenant, composed as the worker's is, with its parts kept. The
 * tenant's `credentials` (a registry tenant's; default: the settings' refresh token) may be a
 * system user's, signed with `appPrivateKey` (SO_APP_PRIVATE_KEY_FILE's PEM).
 */
export function superOfficeHandle(
  settings: SuperOfficeConfig,
  tenant: string,
  credentials?: SuperOfficeCredentials,
  appPrivateKey?: string,
): SuperOfficeHandle {
  const auth = createSuperOfficeAuth({
    environment: settings.environment,
    contextIdentifier: tenant,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    redirectUri: settings.redirectUri,
    tokenUrl: settings.tokenUrl,
    credentials: credentials ?? environmentCredentials(settings),
    appPrivateKey,
  });
  const tenantUrl = settings.apiBaseUrl
    ? fixedTenantUrl(settings.apiBaseUrl)
    : statusTenantUrl({ statusUrl: tenantStatusUrlFor(settings.environment, tenant) });
  const client = new SuperOfficeClient({
    auth,
    tenant: tenantUrl,
    udfWriteMode: settings.udfWriteMode,
  });
  return { settings, auth, tenantUrl, client };
}

/** SO_REFRESH_TOKEN's credentials (the CLI's superoffice section requires it, so always there). */
function environmentCredentials(settings: SuperOfficeConfig): SuperOfficeCredentials {
  if (settings.refreshToken === undefined)
    throw new Error('SO_REFRESH_TOKEN is required to call SuperOffice as the environment tenant');
  return { kind: 'refresh-token', refreshToken: settings.refreshToken };
}
