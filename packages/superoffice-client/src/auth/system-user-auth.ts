import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { SuperOfficeError } from '../http/errors';
import type { AuthProvider } from './auth-provider';
import { jwksKeys } from './jwks';
import { jwtKeyId, JwtRejected, ticketFromSystemUserJwt } from './jwt';
import {
  loadAppPrivateKey,
  signSystemUserToken,
  type AppPrivateKeyInput,
} from './system-user-token';

/** `https://{env}.superoffice.com/Login/api/PartnerSystemUser/Authenticate` (superoffice-api.md 5.5). */
export function systemUserUrlFor(environment: string): string {
  return `https://${environment}.superoffice.com/Login/api/PartnerSystemUser/Authenticate`;
}

/** SuperOffice's samples read `IsSuccessful`, `Token` and `ErrorMessage`. */
const authenticateResponseSchema = z.looseObject({
  IsSuccessful: z.boolean().optional(),
  Token: z.string().nullish(),
  ErrorMessage: z.string().nullish(),
});

export interface SystemUserAuthOptions {
  /** Default: a new axios instance with a 30 s timeout. */
  readonly http?: AxiosInstance;
  /** PartnerSystemUser/Authenticate; see {@link systemUserUrlFor}. */
  readonly authenticateUrl: string;
  /** The JWKS that validates the returned JWT; see `jwksUrlFor`. */
  readonly jwksUrl: string;
  readonly contextIdentifier: string;
  /** The app's client secret: `ApplicationToken` of Authenticate and `SO-AppToken` of each call. */
  readonly clientSecret: string;
  /** The tenant's `system_token` claim. */
  readonly systemUserToken: string;
  /** The app's RSA private key (PEM text or bytes, or a KeyObject). */
  readonly privateKey: AppPrivateKeyInput;
  /** SuperOffice's sliding ticket lifetime (default 6 h). */
  readonly ticketLifetimeMs?: number;
  /** A ticket idle this close to its lifetime is renewed before use (default 5 min). */
  readonly renewMarginMs?: number;
  readonly now?: () => number;
  /** Called after each new ticket (never with the ticket itself). */
  readonly onTicketIssued?: (info: { readonly contextIdentifier: string }) => void;
}

interface CachedTicket {
  readonly value: string;
  lastUsedAt: number;
}

/**
 * The system-user flow (superoffice-api.md 5.5): signs `{system token}.{yyyyMMddHHmm}` with the
 * app's RSA key, exchanges it at PartnerSystemUser/Authenticate for a JWT, validates the JWT with
 * the environment's JWKS and calls the API with `Authorization: SOTicket <ticket>` and
 * `SO-AppToken: <client secret>`. One ticket per instance (one client per tenant), kept while it
 * is used (SuperOffice's lifetime slides with each use), renewed when idle near its lifetime or
 * after a 401; concurrent callers share one renewal. No error message carries the key, the client
 * secret, the system token or a ticket.
 */
export class SystemUserAuth implements AuthProvider {
  private ticket: CachedTicket | undefined;
  private renewing: Promise<CachedTicket> | undefined;
  private readonly now: () => number;
  private readonly http: AxiosInstance;
  private readonly key;
  private readonly lifetimeMs: number;
  private readonly marginMs: number;
  private readonly keys: ReturnType<typeof jwksKeys>;

  constructor(private readonly options: SystemUserAuthOptions) {
    this.now = options.now ?? Date.now;
    this.http = options.http ?? axios.create({ timeout: 30_000 });
    this.key = loadAppPrivateKey(options.privateKey);
    this.lifetimeMs = options.ticketLifetimeMs ?? 6 * 3600_000;
    this.marginMs = Math.min(options.renewMarginMs ?? 5 * 60_000, this.lifetimeMs / 2);
    this.keys = jwksKeys({ http: this.http, url: options.jwksUrl, now: this.now });
  }

  async authorize(): Promise<Readonly<Record<string, string>>> {
    const now = this.now();
    const fresh = this.ticket && now - this.ticket.lastUsedAt < this.lifetimeMs - this.marginMs;
    const ticket = fresh && this.ticket ? this.ticket : await this.renew();
    ticket.lastUsedAt = Math.max(ticket.lastUsedAt, now);
    return { Authorization: `SOTicket ${ticket.value}`, 'SO-AppToken': this.options.clientSecret };
  }

  invalidate(used: Readonly<Record<string, string>>): void {
    if (this.ticket && used.Authorization === `SOTicket ${this.ticket.value}`)
      this.ticket = undefined;
  }

  private renew(): Promise<CachedTicket> {
    this.renewing ??= this.requestTicket().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** A server message with every secret this flow knows replaced. */
  private scrub(text: string, signed: string): string {
    const { clientSecret, systemUserToken } = this.options;
    return [signed, clientSecret, systemUserToken]
      .filter((s) => s.length >= 4)
      .reduce((t, secret) => t.split(secret).join('[REDACTED]'), text);
  }

  private async requestTicket(): Promise<CachedTicket> {
    const { authenticateUrl: url, contextIdentifier } = this.options;
    const signed = signSystemUserToken(
      this.options.systemUserToken,
      this.key,
      new Date(this.now()),
    );
    const refused = (status: number, errorMessage: string, kind?: 'auth' | 'retryable') =>
      new SuperOfficeError({
        status,
        method: 'POST',
        url,
        errorType: 'SystemUserAuthenticationFailed',
        errorMessage: this.scrub(errorMessage, signed),
        kind: kind ?? (status >= 500 || status === 429 ? 'retryable' : 'auth'),
      });
    let response;
    try {
      response = await this.http.post<unknown>(
        url,
        {
          SignedSystemToken: signed,
          ApplicationToken: this.options.clientSecret,
          ContextIdentifier: contextIdentifier,
          ReturnTokenType: 'JWT',
        },
        {
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          validateStatus: () => true,
          maxRedirects: 0,
        },
      );
    } catch (cause) {
      // Only the cause's message is kept (SuperOfficeError); axios' message names no body.
      throw new SuperOfficeError({ status: undefined, method: 'POST', url, cause });
    }
    const parsed = authenticateResponseSchema.safeParse(response.data);
    const body = parsed.success ? parsed.data : undefined;
    if (response.status !== 200 || body?.IsSuccessful !== true || !body.Token) {
      const why = body?.ErrorMessage ? `: ${body.ErrorMessage}` : '';
      throw refused(response.status, `system user authentication refused${why}`);
    }
    let value: string;
    try {
      const keys = await this.keys(jwtKeyId(body.Token));
      value = ticketFromSystemUserJwt(body.Token, keys, {
        contextIdentifier,
        nowSeconds: Math.floor(this.now() / 1000),
      });
    } catch (error) {
      if (error instanceof JwtRejected)
        throw refused(200, `system user JWT rejected: ${error.message}`, 'auth');
      throw error;
    }
    const ticket = { value, lastUsedAt: this.now() };
    this.ticket = ticket;
    this.options.onTicketIssued?.({ contextIdentifier });
    return ticket;
  }
}
