import type { Request } from 'express';
import type { SystemUserState } from '../system-user';
import type { TokenStore } from './auth.routes';

export interface ApiCredentialChecks {
  readonly store: TokenStore;
  readonly systemUser: SystemUserState;
  /** The app's client secret, which `SO-AppToken` must carry next to a ticket. */
  readonly applicationToken: string;
}

/**
 * Why an API request is not authenticated, or undefined when it is: `Bearer <access token>`
 * (superoffice-api.md 5.2), or `SOTicket <ticket>` with `SO-AppToken: <client secret>` (5.5; the
 * app token is mandatory with a ticket). Using a ticket restarts its sliding lifetime.
 */
export function apiAuthFailure(req: Request, checks: ApiCredentialChecks): string | undefined {
  const auth = req.get('authorization') ?? '';
  const [scheme = '', value = ''] = auth.split(/ (.*)/s);
  if (scheme === 'Bearer') {
    const expiry = checks.store.tokens.get(value);
    return expiry !== undefined && expiry > Date.now()
      ? undefined
      : 'access token is missing, invalid or expired';
  }
  if (scheme.toLowerCase() === 'soticket') {
    if (req.get('so-apptoken') !== checks.applicationToken)
      return 'SO-AppToken is missing or not the application token';
    return checks.systemUser.useTicket(value)
      ? undefined
      : 'system user ticket is missing, invalid or expired';
  }
  return 'access token is missing, invalid or expired';
}
