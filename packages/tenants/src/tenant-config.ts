import { inspect } from 'node:util';
import type { EnrichmentSettings } from '@so-connector/config';

/** SuperOffice Online environments (superoffice-api.md §5.1); `qaonline` is Stage. */
export const ENVIRONMENTS = ['sod', 'qaonline', 'online'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * How the connector authenticates against one tenant (superoffice-api.md §5.2 and §5.5). The app's
 * own identity (client id and secret, private key) is shared by all tenants and is not here.
 */
export type TenantCredentials =
  | {
      readonly kind: 'refresh-token';
      /** Long-lived OAuth refresh token from the customer's consent (§5.2, §5.6). */
      readonly refreshToken: string;
    }
  | {
      readonly kind: 'system-user';
      /** The id_token's `system_token` claim, signed with the app's private key per request (§5.5). */
      readonly systemUserToken: string;
    };

/** UDF ProgIds the connector writes (e.g. `SuperOffice:83`); undefined = that field is not written. */
export interface TenantUdfMap {
  readonly vertical: string | undefined;
  readonly summary: string | undefined;
  readonly opener: string | undefined;
  /** A person UDF (the others are contact UDFs). */
  readonly personOpener: string | undefined;
}

/** Per-tenant spending caps; undefined = no cap beyond the deployment-wide limits. */
export interface TenantBudget {
  readonly providerCallsPerHour: number | undefined;
  readonly superofficeCallsPerMinute: number | undefined;
}

/** Everything the receiver and the worker need to serve one SuperOffice tenant. */
export interface TenantConfig {
  /** SuperOffice ContextIdentifier, e.g. `Cust12345`. */
  readonly contextIdentifier: string;
  /** HMAC secrets; the first is current, the others are accepted during a rotation. */
  readonly webhookSecrets: readonly string[];
  /** Legacy shared token accepted as `?token=` (the prototype's scheme). */
  readonly webhookToken: string | undefined;
  /**
   * undefined only for the environment shorthand built from the receiver's configuration, which
   * holds no SuperOffice credentials (the worker's does).
   */
  readonly credentials: TenantCredentials | undefined;
  readonly environment: Environment;
  /** Fixed API base (the simulator, tests); else resolved from the tenant status API (§5.4). */
  readonly apiBaseUrl: string | undefined;
  /** Token endpoint override; else `https://{environment}.superoffice.com/login/common/oauth/tokens`. */
  readonly tokenUrl: string | undefined;
  readonly udf: TenantUdfMap;
  /** Owner associates (ids or short names) whose accounts are enriched; empty = all accounts. */
  readonly ownerScope: readonly string[];
  /** The API user's associate id, when given; else learned from currentPrincipal. */
  readonly ownAssociateId: number | undefined;
  readonly budget: TenantBudget;
  /** The enrichment provider and its settings (the shape `@so-connector/config` uses). */
  readonly provider: EnrichmentSettings;
}

/** The text that stands for a secret value in every display form. */
export const REDACTED = '[REDACTED]';

/** A TenantConfig with every secret replaced by {@link REDACTED}: safe to log, show and serialise. */
export type RedactedTenant = TenantConfig;

/**
 * A copy of the tenant with each secret value (webhook secrets and token, the SuperOffice credential,
 * the provider's API key) replaced by `transform(value, field)`; `field` names it for messages and
 * as encryption context, e.g. `webhookSecrets[1]`, `credentials.refreshToken`, `provider.apiKey`.
 */
export function mapSecrets(
  tenant: TenantConfig,
  transform: (value: string, field: string) => string,
): TenantConfig {
  const { credentials, provider } = tenant;
  return {
    ...plainTenant(tenant),
    webhookSecrets: tenant.webhookSecrets.map((s, i) => transform(s, `webhookSecrets[${i}]`)),
    webhookToken:
      tenant.webhookToken === undefined
        ? undefined
        : transform(tenant.webhookToken, 'webhookToken'),
    credentials:
      credentials === undefined
        ? undefined
        : credentials.kind === 'refresh-token'
          ? {
              kind: 'refresh-token',
              refreshToken: transform(credentials.refreshToken, 'credentials.refreshToken'),
            }
          : {
              kind: 'system-user',
              systemUserToken: transform(
                credentials.systemUserToken,
                'credentials.systemUserToken',
              ),
            },
    provider:
      provider.provider === 'builtin'
        ? { ...provider }
        : { ...provider, apiKey: transform(provider.apiKey, 'provider.apiKey') },
  };
}

/** The tenant with its secrets replaced: the only form of a tenant that is logged or displayed. */
export function redactTenant(tenant: TenantConfig): RedactedTenant {
  return mapSecrets(tenant, () => REDACTED);
}

/** A plain (unfrozen, no display hooks) copy with secrets: for storage and comparison only. */
export function plainTenant(tenant: TenantConfig): TenantConfig {
  return {
    contextIdentifier: tenant.contextIdentifier,
    webhookSecrets: [...tenant.webhookSecrets],
    webhookToken: tenant.webhookToken,
    credentials: tenant.credentials === undefined ? undefined : { ...tenant.credentials },
    environment: tenant.environment,
    apiBaseUrl: tenant.apiBaseUrl,
    tokenUrl: tenant.tokenUrl,
    udf: { ...tenant.udf },
    ownerScope: [...tenant.ownerScope],
    ownAssociateId: tenant.ownAssociateId,
    budget: { ...tenant.budget },
    provider: { ...tenant.provider },
  };
}

/** True when both hold the same settings (secrets included). */
export function sameTenant(a: TenantConfig, b: TenantConfig): boolean {
  return JSON.stringify(plainTenant(a)) === JSON.stringify(plainTenant(b));
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}

/**
 * The frozen form every source hands out. `JSON.stringify`, `String()` and `util.inspect` (and so
 * any logger) see the redacted view, so a tenant that slips into a log line leaks no secret.
 */
export function freezeTenant(tenant: TenantConfig): TenantConfig {
  const copy = plainTenant(tenant);
  const display = () => redactTenant(copy);
  Object.defineProperties(copy, {
    toJSON: { value: display, enumerable: false },
    toString: { value: () => `TenantConfig(${copy.contextIdentifier})`, enumerable: false },
    [inspect.custom]: { value: display, enumerable: false },
  });
  return deepFreeze(copy);
}
