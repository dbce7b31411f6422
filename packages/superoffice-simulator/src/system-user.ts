import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { SYSTEM_USER_TIMESTAMP_WINDOW_MINUTES } from './inferred';
import { publishedJwks, signJwt } from './signing-key';

/** The claim that carries the ticket in PartnerSystemUser's JWT (superoffice-api.md 5.5). */
export const TICKET_CLAIM = 'http://schemes.superoffice.net/identity/ticket';
const CLAIM = 'http://schemes.superoffice.net/identity/';

export interface SystemUserSettings {
  /**
   * The app's public key, as registered with SuperOffice (PEM or KeyObject). Without one every
   * Authenticate call is refused: the app was not registered as "server to server".
   */
  readonly appPublicKey?: string | KeyObject | undefined;
  /** The tenant's `system_token` claim (default `SoConnectorSim-<random>`). */
  readonly systemUserToken?: string | undefined;
  /** Sliding ticket lifetime (default 6 h, superoffice-api.md 5.5). */
  readonly ticketLifetimeSeconds?: number | undefined;
  /** How far a signed time stamp may be from the simulator's clock (inferred; default 5 min). */
  readonly timestampWindowMinutes?: number | undefined;
  /** The tenant's database serial (`spn:{serial}` is the JWT's audience). */
  readonly serial?: string | undefined;
}

export interface AuthenticateRequest {
  readonly SignedSystemToken?: unknown;
  readonly ApplicationToken?: unknown;
  readonly ContextIdentifier?: unknown;
  readonly ReturnTokenType?: unknown;
}

/** SuperOffice's app-authorisation error codes (superoffice-api.md 7.2) the simulator answers with. */
export type SystemUserRefusal =
  | 'InvalidApplicationToken'
  | 'UnknownTenant'
  | 'Revoked'
  | 'InvalidTimestamp'
  | 'InvalidSignature'
  | 'MalformedToken'
  | 'UnsupportedTokenType';

export type AuthenticateOutcome =
  | { readonly ok: true; readonly ticket: string; readonly jwt: string }
  | { readonly ok: false; readonly reason: SystemUserRefusal; readonly message: string };

/** `yyyyMMddHHmm` (UTC) → ms since the epoch; NaN when it is not twelve digits of a real minute. */
export function parseTimestamp(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute);
  const d = new Date(ms);
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day && hour < 24 && minute < 60
    ? ms
    : Number.NaN;
}

/**
 * The tenant's side of the system-user flow (superoffice-api.md 5.5): checks a signed system token
 * (application token, tenant, token, RSA-SHA256 signature with the app's public key, time stamp
 * window), issues a ticket inside a JWT signed with the simulator's own key (published as a JWKS),
 * and keeps each ticket alive for a sliding lifetime from its last use.
 */
export class SystemUserState {
  readonly systemUserToken: string;
  readonly serial: string;
  /** Authenticate calls answered with a ticket. */
  ticketsIssued = 0;
  private appPublicKey: KeyObject | undefined;
  private readonly lifetimeMs: number;
  private readonly windowMs: number;
  /** ticket → last use (ms) */
  private readonly tickets = new Map<string, number>();

  constructor(
    settings: SystemUserSettings,
    private readonly deps: {
      readonly contextIdentifier: string;
      readonly applicationToken: string;
      readonly associateId: number;
      readonly now: () => number;
    },
  ) {
    this.systemUserToken =
      settings.systemUserToken ?? `SoConnectorSim-${randomBytes(8).toString('hex')}`;
    this.serial = settings.serial ?? '1801550193';
    this.lifetimeMs = (settings.ticketLifetimeSeconds ?? 6 * 3600) * 1000;
    this.windowMs =
      (settings.timestampWindowMinutes ?? SYSTEM_USER_TIMESTAMP_WINDOW_MINUTES) * 60_000;
    this.setAppPublicKey(settings.appPublicKey);
  }

  /** Registers (or, with undefined, removes) the app's public key, as in SuperOffice's developer portal. */
  setAppPublicKey(key: string | KeyObject | undefined): void {
    if (key === undefined) this.appPublicKey = undefined;
    // createPublicKey takes a PEM or a private KeyObject, not a public KeyObject.
    else if (typeof key !== 'string' && key.type === 'public') this.appPublicKey = key;
    else this.appPublicKey = createPublicKey(key);
  }

  authenticate(body: AuthenticateRequest): AuthenticateOutcome {
    const refuse = (reason: SystemUserRefusal, message: string): AuthenticateOutcome => ({
      ok: false,
      reason,
      message,
    });
    if (body.ApplicationToken !== this.deps.applicationToken)
      return refuse('InvalidApplicationToken', 'the application token is not valid');
    if (body.ContextIdentifier !== this.deps.contextIdentifier)
      return refuse('UnknownTenant', 'the tenant is unknown or has not approved the application');
    if (typeof body.ReturnTokenType === 'string' && body.ReturnTokenType.toUpperCase() !== 'JWT')
      return refuse('UnsupportedTokenType', 'only ReturnTokenType JWT is supported');
    const signed = typeof body.SignedSystemToken === 'string' ? body.SignedSystemToken : '';
    // `{token}.{yyyyMMddHHmm}.{base64 signature}`; the token itself may contain periods.
    const parts = /^(.+)\.(\d{12})\.([A-Za-z0-9+/]+={0,2})$/.exec(signed);
    if (!parts)
      return refuse(
        'MalformedToken',
        'SignedSystemToken is not {token}.{yyyyMMddHHmm}.{signature}',
      );
    const [, token, stamp, signature] = parts as unknown as [string, string, string, string];
    if (token !== this.systemUserToken)
      return refuse('Revoked', 'the system user token is unknown or was revoked');
    if (!this.appPublicKey)
      return refuse('InvalidSignature', 'the application has no public key registered');
    const valid = verify(
      'sha256',
      Buffer.from(`${token}.${stamp}`, 'utf8'),
      this.appPublicKey,
      Buffer.from(signature, 'base64'),
    );
    if (!valid)
      return refuse(
        'InvalidSignature',
        "the signature does not verify with the application's public key",
      );
    const at = parseTimestamp(stamp);
    const now = this.deps.now();
    // The stamp has minute precision: a token signed at 12:34:59 says 1234.
    if (Number.isNaN(at) || at < now - this.windowMs - 60_000 || at > now + this.windowMs)
      return refuse('InvalidTimestamp', 'the time stamp is outside the accepted window');
    const ticket = `7T:${randomBytes(24).toString('base64')}`;
    this.tickets.set(ticket, now);
    this.ticketsIssued++;
    return { ok: true, ticket, jwt: this.jwtFor(ticket, now) };
  }

  /** True when the ticket is alive; each use restarts its lifetime (sliding). */
  useTicket(ticket: string): boolean {
    const lastUse = this.tickets.get(ticket);
    const now = this.deps.now();
    if (lastUse === undefined || now - lastUse > this.lifetimeMs) {
      this.tickets.delete(ticket);
      return false;
    }
    this.tickets.set(ticket, now);
    return true;
  }

  /** Every issued ticket stops working now (the next call with one gets 401). */
  expireTickets(): void {
    this.tickets.clear();
  }

  /** The public half of the JWT signing key, as `GET /login/.well-known/jwks` serves it. */
  jwks(): { keys: Record<string, unknown>[] } {
    return publishedJwks();
  }

  /** The JWT SuperOffice returns: issuer "SuperOffice AS", audience `spn:{serial}`, RS256. */
  private jwtFor(ticket: string, now: number): string {
    const seconds = Math.floor(now / 1000);
    const claims = {
      iss: 'SuperOffice AS',
      aud: `spn:${this.serial}`,
      sub: this.systemUserToken,
      iat: seconds,
      nbf: seconds - 60,
      exp: seconds + 300,
      [TICKET_CLAIM]: ticket,
      [`${CLAIM}ctx`]: this.deps.contextIdentifier,
      [`${CLAIM}serial`]: this.serial,
      [`${CLAIM}associateid`]: String(this.deps.associateId),
      [`${CLAIM}is_system_user`]: 'True',
    };
    return signJwt(claims);
  }
}
