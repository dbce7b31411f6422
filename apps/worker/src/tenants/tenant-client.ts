import { UnrecoverableError } from 'bullmq';
import type { WorkerConfig } from '@so-connector/config';
import {
  createSuperOfficeClient,
  SuperOfficeError,
  type CallRecord,
  type SuperOfficeClient,
} from '@so-connector/superoffice-client';
import type { TenantConfig } from '@so-connector/tenants';

/** The app's identity and the deployment-wide client settings, shared by every tenant. */
export type AppSettings = Pick<
  WorkerConfig['superoffice'],
  'clientId' | 'clientSecret' | 'redirectUri' | 'udfWriteMode' | 'rateLimitPerSecond'
> & {
  /** The app's RSA private key (PEM, read from SO_APP_PRIVATE_KEY_FILE): signs system-user tokens. */
  readonly appPrivateKey?: string | undefined;
};

/**
 * The tenant cannot be served with its credentials (none, or a kind this build cannot sign in
 * with). Its jobs fail at once (UnrecoverableError): retrying cannot help until the registry or the
 * build changes.
 */
export class TenantCredentialsError extends UnrecoverableError {
  constructor(
    readonly contextIdentifier: string,
    why: string,
  ) {
    super(`tenant ${contextIdentifier}: ${why}`);
  }
}

/**
 * One SuperOffice client for the tenant: its credential, environment, URLs and own token cache;
 * the app identity and the rate limit are the deployment's. The only place that turns a
 * credential kind into a client.
 */
export function createTenantClient(
  tenant: TenantConfig,
  app: AppSettings,
  onCall: (call: CallRecord) => void,
  beforeCall?: () => Promise<void>,
): SuperOfficeClient {
  const credentials = tenant.credentials;
  if (credentials === undefined)
    throw new TenantCredentialsError(tenant.contextIdentifier, 'has no SuperOffice credentials');
  if (credentials.kind === 'system-user' && app.appPrivateKey === undefined)
    throw new TenantCredentialsError(
      tenant.contextIdentifier,
      "system-user sign-in needs the app's RSA private key: set SO_APP_PRIVATE_KEY_FILE",
    );
  return createSuperOfficeClient({
    environment: tenant.environment,
    contextIdentifier: tenant.contextIdentifier,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: app.redirectUri,
    credentials,
    appPrivateKey: app.appPrivateKey,
    apiBaseUrl: tenant.apiBaseUrl,
    tokenUrl: tenant.tokenUrl,
    udfWriteMode: app.udfWriteMode,
    rateLimitPerSecond: app.rateLimitPerSecond,
    onCall,
    beforeCall,
  });
}

/** SuperOffice's login service refused the tenant's credential for good: it needs re-consent. */
export function isRevokedCredential(error: unknown): error is SuperOfficeError {
  return error instanceof SuperOfficeError && error.errorType === 'invalid_grant';
}
