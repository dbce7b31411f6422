import type { AuthProvider } from './auth/auth-provider';
import { jwksUrlFor } from './auth/jwks';
import {
  RefreshTokenAuth,
  tokenUrlFor,
  type SuperOfficeEnvironment,
} from './auth/refresh-token-auth';
import { SystemUserAuth, systemUserUrlFor } from './auth/system-user-auth';
import type { AppPrivateKeyInput } from './auth/system-user-token';
import { loginBaseOf } from './auth/login-endpoints';
import { fixedTenantUrl, statusTenantUrl, tenantStatusUrlFor } from './auth/tenant-url';
import { SuperOfficeClient, type UdfWriteMode } from './client';
import type { CallRecord } from './http/request';

/**
 * How the client authenticates against one tenant (the tenant registry's `TenantCredentials`):
 * an OAuth refresh token (superoffice-api.md 5.2) or the system user's token (5.5).
 */
export type SuperOfficeCredentials =
  | { readonly kind: 'refresh-token'; readonly refreshToken: string }
  | { readonly kind: 'system-user'; readonly systemUserToken: string };

/** Plain connection settings (the shape of the config package's `SuperOfficeConfig`, plus credentials). */
export interface SuperOfficeConnectionSettings {
  readonly environment: SuperOfficeEnvironment;
  readonly contextIdentifier: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The environment's one-tenant shorthand for refresh-token credentials; `credentials` wins. */
  readonly refreshToken?: string | undefined;
  readonly credentials?: SuperOfficeCredentials | undefined;
  /**
   * The app's RSA private key (PEM text or bytes, or a KeyObject), shared by all tenants; needed
   * with system-user credentials. The caller reads the file; the client never does.
   */
  readonly appPrivateKey?: AppPrivateKeyInput | undefined;
  readonly redirectUri?: string | undefined;
  /** Fixed API base; else resolved from the tenant status endpoint. */
  readonly apiBaseUrl?: string | undefined;
  /** Token endpoint override; else the environment's. */
  readonly tokenUrl?: string | undefined;
  /**
   * PartnerSystemUser/Authenticate and JWKS overrides; else on the host of `tokenUrl` when that is
   * given (the simulator serves all three), else the environment's.
   */
  readonly systemUserUrl?: string | undefined;
  readonly jwksUrl?: string | undefined;
  readonly udfWriteMode?: UdfWriteMode | undefined;
  readonly rateLimitPerSecond?: number | undefined;
  readonly onCall?: ((call: CallRecord) => void) | undefined;
  /** A gate run before each call is sent (SuperOfficeClientOptions.beforeCall). */
  readonly beforeCall?: (() => Promise<void>) | undefined;
}

/**
 * The tenant's authentication: RefreshTokenAuth for a refresh token, SystemUserAuth (signed system
 * token, ticket) for a system user. The CLI keeps it to check sign-in on its own (`doctor`).
 */
export function createSuperOfficeAuth(settings: SuperOfficeConnectionSettings): AuthProvider {
  const credentials: SuperOfficeCredentials | undefined =
    settings.credentials ??
    (settings.refreshToken
      ? { kind: 'refresh-token', refreshToken: settings.refreshToken }
      : undefined);
  const tenant = settings.contextIdentifier;
  if (!credentials)
    throw new Error(`[superoffice-client] tenant ${tenant}: no refresh token or system-user token`);
  if (credentials.kind === 'refresh-token')
    return new RefreshTokenAuth({
      tokenUrl: settings.tokenUrl ?? tokenUrlFor(settings.environment),
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      refreshToken: credentials.refreshToken,
      redirectUri: settings.redirectUri,
    });
  if (settings.appPrivateKey === undefined)
    throw new Error(
      `[superoffice-client] tenant ${tenant}: system-user credentials need the app's RSA private key (SO_APP_PRIVATE_KEY_FILE)`,
    );
  const base = settings.tokenUrl ? loginBaseOf(settings.tokenUrl) : undefined;
  return new SystemUserAuth({
    authenticateUrl:
      settings.systemUserUrl ??
      (base
        ? `${base}/Login/api/PartnerSystemUser/Authenticate`
        : systemUserUrlFor(settings.environment)),
    jwksUrl:
      settings.jwksUrl ??
      (base ? `${base}/login/.well-known/jwks` : jwksUrlFor(settings.environment)),
    contextIdentifier: tenant,
    clientSecret: settings.clientSecret,
    systemUserToken: credentials.systemUserToken,
    privateKey: settings.appPrivateKey,
  });
}

/** One client from connection settings: refresh-token or system-user auth and the tenant's API base. */
export function createSuperOfficeClient(
  settings: SuperOfficeConnectionSettings,
): SuperOfficeClient {
  return new SuperOfficeClient({
    auth: createSuperOfficeAuth(settings),
    tenant: settings.apiBaseUrl
      ? fixedTenantUrl(settings.apiBaseUrl)
      : statusTenantUrl({
          statusUrl: tenantStatusUrlFor(settings.environment, settings.contextIdentifier),
        }),
    ...(settings.udfWriteMode ? { udfWriteMode: settings.udfWriteMode } : {}),
    ...(settings.rateLimitPerSecond ? { rateLimitPerSecond: settings.rateLimitPerSecond } : {}),
    ...(settings.onCall ? { onCall: settings.onCall } : {}),
    ...(settings.beforeCall ? { beforeCall: settings.beforeCall } : {}),
  });
}
