import type { SuperOfficeEnvironment } from './refresh-token-auth';

/** Where an environment's OpenID Connect endpoints are (superoffice-api.md 5.1). */
export interface LoginEndpoints {
  /** `https://{env}.superoffice.com/login/common/oauth/authorize` */
  readonly authorizeUrl: string;
  /** `https://{env}.superoffice.com/login/common/oauth/tokens` */
  readonly tokenUrl: string;
  /** `https://{env}.superoffice.com/login/.well-known/jwks` */
  readonly jwksUrl: string;
  /** The id_token's `iss`: `https://{env}.superoffice.com` (5.3). */
  readonly issuer: string;
}

/** The login host of a token URL: `https://online.superoffice.com` of `…/login/common/oauth/tokens`. */
export function loginBaseOf(tokenUrl: string): string {
  const stripped = tokenUrl.replace(/\/login\/common\/oauth\/tokens\/?$/i, '');
  return stripped === tokenUrl ? new URL(tokenUrl).origin : stripped;
}

/**
 * The endpoints of an environment, or of the login host of a token URL override (`SO_TOKEN_URL`,
 * e.g. the simulator, which serves all four under its own origin the way SuperOffice does).
 */
export function loginEndpoints(
  environment: SuperOfficeEnvironment,
  tokenUrl?: string,
): LoginEndpoints {
  const base = tokenUrl ? loginBaseOf(tokenUrl) : `https://${environment}.superoffice.com`;
  return {
    authorizeUrl: `${base}/login/common/oauth/authorize`,
    tokenUrl: tokenUrl ?? `${base}/login/common/oauth/tokens`,
    jwksUrl: `${base}/login/.well-known/jwks`,
    issuer: base,
  };
}
