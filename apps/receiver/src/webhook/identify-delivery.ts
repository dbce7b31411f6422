import type { WebhookAuthConfig } from '@so-connector/config';
import type { TenantConfig } from '@so-connector/tenants';
import {
  authenticateDelivery,
  UNKNOWN_TENANT_AUTH,
  type AuthResult,
  type DeliveryCredentials,
} from './authenticate';
import { contextIdentifierOf, decodeJsonBody, type DecodeResult } from './parse-event';

/** What the receiver asks of the tenant registry (TenantRegistry has it). */
export interface TenantLookup {
  /** The served tenant with this ContextIdentifier in any letter case. */
  find(contextIdentifier: string): TenantConfig | undefined;
}

/** Who a delivery is from, once its credentials have been checked. */
export type DeliveryIdentity =
  | {
      readonly ok: true;
      readonly method: Extract<AuthResult, { ok: true }>['method'];
      /** The served tenant whose credentials the delivery carries. */
      readonly tenant: TenantConfig;
      /** The body, when the route decoded it before authenticating. */
      readonly decoded: DecodeResult | undefined;
    }
  | {
      readonly ok: false;
      /** Why not: the same for an unserved tenant as for a wrong credential. */
      readonly message: string;
      readonly decoded: DecodeResult | undefined;
    };

export interface IdentifyOptions {
  /** ALLOW_UNSIGNED: a receiver-wide switch; it serves tenants that have no secret and no token. */
  readonly allowUnsigned: boolean;
}

/** A tenant's webhook credentials, or those of {@link UNKNOWN_TENANT_AUTH} when it is not served. */
export function webhookAuthOf(
  tenant: TenantConfig | undefined,
  options: IdentifyOptions,
): WebhookAuthConfig {
  if (tenant === undefined) return UNKNOWN_TENANT_AUTH;
  return {
    secrets: tenant.webhookSecrets,
    token: tenant.webhookToken,
    allowUnsigned: options.allowUnsigned,
  };
}

function identity(
  auth: AuthResult,
  tenant: TenantConfig | undefined,
  decoded: DecodeResult | undefined,
): DeliveryIdentity {
  if (!auth.ok) return { ok: false, message: auth.message, decoded };
  // UNKNOWN_TENANT_AUTH never lets a delivery through, so an authenticated one has its tenant.
  if (tenant === undefined) throw new Error('a delivery authenticated without a tenant');
  return { ok: true, method: auth.method, tenant, decoded };
}

/**
 * `POST /webhooks/superoffice/{ContextIdentifier}`: the tenant (`pathTenant`, looked up before a
 * byte of the body was read; undefined when not served) decides which secrets are checked. An
 * unserved tenant goes through the same check with placeholder secrets and fails as a wrong
 * signature does.
 */
export function identifyByPath(
  pathTenant: TenantConfig | undefined,
  rawBody: Buffer,
  credentials: DeliveryCredentials,
  options: IdentifyOptions,
): DeliveryIdentity {
  const auth = authenticateDelivery(rawBody, credentials, webhookAuthOf(pathTenant, options));
  return identity(auth, pathTenant, undefined);
}

/**
 * `POST /webhooks/superoffice` (and the prototype's alias): the body names the tenant, so it is
 * decoded first (decodeJsonBody is safe on unauthenticated bytes) and the delivery is checked
 * against that tenant's credentials.
 *
 * When that fails, it is checked once more against `defaultTenant` (SO_CONTEXT_IDENTIFIER, the
 * tenant of a single-tenant deployment, which the body routes served alone before): a delivery
 * signed for it that names another tenant, or no readable one, is then the default tenant's (the
 * route answers 403 or 400, as a single-tenant receiver did). The second check runs whether or
 * not the named tenant exists, against placeholders when there is no default tenant, so every
 * refused delivery costs the same.
 */
export function identifyByBody(
  rawBody: Buffer,
  credentials: DeliveryCredentials,
  tenants: TenantLookup,
  defaultTenant: string | undefined,
  options: IdentifyOptions,
): DeliveryIdentity {
  const decoded = decodeJsonBody(rawBody);
  const named = contextIdentifierOf(decoded);
  const bodyTenant = named === undefined ? undefined : tenants.find(named);
  const auth = authenticateDelivery(rawBody, credentials, webhookAuthOf(bodyTenant, options));
  if (auth.ok) return identity(auth, bodyTenant, decoded);
  const fallback = defaultTenant === undefined ? undefined : tenants.find(defaultTenant);
  const second = authenticateDelivery(rawBody, credentials, webhookAuthOf(fallback, options));
  return second.ok ? identity(second, fallback, decoded) : identity(auth, undefined, decoded);
}
