import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { SuperOfficeError } from '../http/errors';
import type { AuthProvider } from './auth-provider';

export type SuperOfficeEnvironment = 'sod' | 'qaonline' | 'online';

/** The token endpoint of an environment (superoffice-api.md 5.1); never a numbered sub-domain. */
export function tokenUrlFor(environment: SuperOfficeEnvironment): string {
  return `https://${environment}.superoffice.com/login/common/oauth/tokens`;
}

/** `expires_in` is a number in SuperOffice's docs and a string in one public fixture: read both. */
const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
});

export interface RefreshTokenAuthOptions {
  /** Default: a new axios instance with a 30 s timeout. */
  readonly http?: AxiosInstance;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly redirectUri?: string | undefined;
  /** Refresh this long before `expires_in` runs out (default 60 s). */
  readonly refreshMarginMs?: number;
  readonly now?: () => number;
  /** Called after every successful refresh (never with the token itself). */
  readonly onTokenRefreshed?: (info: { readonly expiresAt: number }) => void;
}

interface CachedToken {
  readonly value: string;
  readonly expiresAt: number;
  /** When to refresh: the margin before expiry, but never more than half the lifetime. */
  readonly refreshAt: number;
}

/**
 * OAuth refresh-token flow (superoffice-api.md 5.2). The access token is cached until shortly
 * before it expires; concurrent callers share one refresh in flight. SuperOffice returns no new
 * refresh token, so the configured one is used for every refresh.
 */
export class RefreshTokenAuth implements AuthProvider {
  private token: CachedToken | undefined;
  private refreshing: Promise<CachedToken> | undefined;
  private readonly now: () => number;
  private readonly marginMs: number;
  private readonly http: AxiosInstance;

  constructor(private readonly options: RefreshTokenAuthOptions) {
    this.now = options.now ?? Date.now;
    this.marginMs = options.refreshMarginMs ?? 60_000;
    this.http = options.http ?? axios.create({ timeout: 30_000 });
  }

  async authorize(): Promise<Readonly<Record<string, string>>> {
    const token =
      this.token && this.token.refreshAt > this.now() ? this.token : await this.refresh();
    // SO-AppToken is documented for server-side calls to Online (superoffice-api.md 5.2).
    return { Authorization: `Bearer ${token.value}`, 'SO-AppToken': this.options.clientSecret };
  }

  invalidate(used: Readonly<Record<string, string>>): void {
    if (this.token && used.Authorization === `Bearer ${this.token.value}`) this.token = undefined;
  }

  private refresh(): Promise<CachedToken> {
    this.refreshing ??= this.requestToken().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async requestToken(): Promise<CachedToken> {
    const { tokenUrl, clientId, clientSecret, refreshToken, redirectUri } = this.options;
    const http = this.http;
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: clientId,
      client_secret: clientSecret,
      refresh_token: refreshToken,
    });
    if (redirectUri) form.set('redirect_uri', redirectUri);
    let response;
    try {
      response = await http.post<unknown>(tokenUrl, form.toString(), {
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        validateStatus: () => true,
      });
    } catch (cause) {
      throw new SuperOfficeError({ status: undefined, method: 'POST', url: tokenUrl, cause });
    }
    if (response.status !== 200) {
      const body = (response.data ?? {}) as { error?: unknown; error_description?: unknown };
      const oauthError = [body.error, body.error_description]
        .filter((v) => typeof v === 'string')
        .join(': ');
      throw new SuperOfficeError({
        status: response.status,
        method: 'POST',
        url: tokenUrl,
        errorType: typeof body.error === 'string' ? body.error : undefined,
        errorMessage: `token refresh refused${oauthError ? `: ${oauthError}` : ''}`,
        kind: response.status >= 500 || response.status === 429 ? 'retryable' : 'auth',
      });
    }
    const parsed = tokenResponseSchema.safeParse(response.data);
    if (!parsed.success) {
      throw new SuperOfficeError({
        status: 200,
        method: 'POST',
        url: tokenUrl,
        errorMessage: 'token response has no access_token/expires_in',
        kind: 'auth',
      });
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    const issuedAt = this.now();
    // A short-lived token (shorter than twice the margin) would otherwise be refreshed before
    // every call.
    const token = {
      value: parsed.data.access_token,
      expiresAt: issuedAt + lifetimeMs,
      refreshAt: issuedAt + lifetimeMs - Math.min(this.marginMs, lifetimeMs / 2),
    };
    this.token = token;
    this.options.onTokenRefreshed?.({ expiresAt: token.expiresAt });
    return token;
  }
}
