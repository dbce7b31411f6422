import { randomBytes } from 'node:crypto';
import type { WebhookAuthConfig } from '@so-connector/config';
import { constantTimeEquals, verifySignature, type SignatureCheck } from './verify-signature';

export type AuthResult =
  | { readonly ok: true; readonly method: 'signature' | 'token' | 'unsigned' }
  | { readonly ok: false; readonly message: string };

export interface DeliveryCredentials {
  /** `X-SuperOffice-Signature` as received (duplicates arrive joined by ", "). */
  readonly signature: string | undefined;
  /** The legacy `?token=` query parameter. */
  readonly token: string | undefined;
}

/**
 * A signature is checked against at least this many secrets, padded with placeholders: a tenant
 * with one secret, a tenant in the middle of a rotation (two) and an unknown tenant cost the same
 * number of HMACs, so the time taken does not tell them apart.
 */
export const MIN_SECRETS_CHECKED = 2;

/** Per-process random placeholders: no delivery can match them (they are never known outside). */
const PLACEHOLDER_SECRETS = Array.from({ length: MIN_SECRETS_CHECKED }, () =>
  randomBytes(32).toString('base64'),
);
const PLACEHOLDER_TOKEN = randomBytes(32).toString('base64');

/**
 * The credentials of a tenant this deployment does not serve: a delivery for it goes through the
 * same checks as one for a served tenant and fails as a wrong signature or token does.
 */
export const UNKNOWN_TENANT_AUTH: WebhookAuthConfig = Object.freeze({
  secrets: PLACEHOLDER_SECRETS.slice(0, 1),
  token: PLACEHOLDER_TOKEN,
  allowUnsigned: false,
});

function padded(secrets: readonly string[]): readonly string[] {
  return secrets.length >= MIN_SECRETS_CHECKED
    ? secrets
    : [...secrets, ...PLACEHOLDER_SECRETS.slice(0, MIN_SECRETS_CHECKED - secrets.length)];
}

/**
 * Why a delivery was refused, from what the REQUEST presented only (never from how the tenant is
 * configured), so that no answer tells whether a tenant exists or which scheme it uses.
 */
function refusal(credentials: DeliveryCredentials, check: SignatureCheck | undefined): string {
  if (check?.ok === false && check.reason === 'malformed')
    return 'X-SuperOffice-Signature is not one base64 HMAC-SHA256 value';
  if (check?.ok === false && check.reason === 'missing')
    return 'X-SuperOffice-Signature header is empty';
  if (check !== undefined) return 'X-SuperOffice-Signature does not match the body';
  if (credentials.token !== undefined) return 'token query parameter does not match';
  return 'X-SuperOffice-Signature header is missing';
}

/**
 * Decides whether a delivery is authentic for one tenant (`auth`: its secrets and legacy token,
 * and the receiver-wide ALLOW_UNSIGNED). A signature, when present and the tenant has secrets,
 * must match (a wrong signature is never rescued by a token); otherwise the legacy token may
 * authenticate; a tenant with neither is served unsigned only when ALLOW_UNSIGNED is set.
 *
 * Every credential presented is checked whatever the tenant's configuration, against at least
 * {@link MIN_SECRETS_CHECKED} secrets, and a refusal's message depends on the request alone: pass
 * {@link UNKNOWN_TENANT_AUTH} for a tenant this deployment does not serve and the answer and the
 * work are those of a wrong signature.
 */
export function authenticateDelivery(
  rawBody: Buffer,
  credentials: DeliveryCredentials,
  auth: WebhookAuthConfig,
): AuthResult {
  const hasSecrets = auth.secrets.length > 0;
  const check =
    credentials.signature === undefined
      ? undefined
      : verifySignature(rawBody, credentials.signature, padded(auth.secrets));
  const signatureMatches = check?.ok === true && check.secretIndex < auth.secrets.length;
  const tokenMatches =
    credentials.token !== undefined &&
    constantTimeEquals(credentials.token, auth.token ?? PLACEHOLDER_TOKEN) &&
    auth.token !== undefined;

  if (hasSecrets && check !== undefined) {
    return signatureMatches
      ? { ok: true, method: 'signature' }
      : { ok: false, message: refusal(credentials, check) };
  }
  if (auth.token !== undefined && credentials.token !== undefined) {
    return tokenMatches
      ? { ok: true, method: 'token' }
      : { ok: false, message: refusal(credentials, check) };
  }
  if (!hasSecrets && auth.token === undefined && auth.allowUnsigned) {
    return { ok: true, method: 'unsigned' };
  }
  return { ok: false, message: refusal(credentials, check) };
}
