import {
  RefreshTokenAuth,
  tokenUrlFor,
  type SuperOfficeEnvironment,
} from './auth/refresh-token-auth';
import { fixedTenantUrl, statusTenantUrl, tenantStatusUrlFor } from './auth/tenant-url';
import { SuperOfficeClient, type UdfWriteMode } from './client';
import type { CallRecord } from './http/request';

/** Plain connection settings (the shape of the config package's `SuperOfficeConfig`). */
export interface SuperOfficeConnectionSettings {
  readonly environment: SuperOfficeEnvironment;
  readonly contextIdentifier: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly redirectUri?: string | undefined;
  /** Fixed API base; else resolved from the tenant status endpoint. */
  readonly apiBaseUrl?: string | undefined;
  /** Token endpoint override; else the environment's. */
  readonly tokenUrl?: string | undefined;
  readonly udfWriteMode?: UdfWriteMode | undefined;
  readonly rateLimitPerSecond?: number | undefined;
  readonly onCall?: ((call: CallRecord) => void) | undefined;
}

/** One client from connection settings: refresh-token auth and the tenant's API base. */
export function createSuperOfficeClient(
  settings: SuperOfficeConnectionSettings,
): SuperOfficeClient {
  return new SuperOfficeClient({
    auth: new RefreshTokenAuth({
      tokenUrl: settings.tokenUrl ?? tokenUrlFor(settings.environment),
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      refreshToken: settings.refreshToken,
      redirectUri: settings.redirectUri,
    }),
    tenant: settings.apiBaseUrl
      ? fixedTenantUrl(settings.apiBaseUrl)
      : statusTenantUrl({
          statusUrl: tenantStatusUrlFor(settings.environment, settings.contextIdentifier),
        }),
    ...(settings.udfWriteMode ? { udfWriteMode: settings.udfWriteMode } : {}),
    ...(settings.rateLimitPerSecond ? { rateLimitPerSecond: settings.rateLimitPerSecond } : {}),
    ...(settings.onCall ? { onCall: settings.onCall } : {}),
  });
}
