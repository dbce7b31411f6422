import type { WebhookAuthConfig } from '@so-connector/config';
import { constantTimeEquals, verifySignature } from './verify-signature';

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
 * Decides whether a delivery is authentic. A signature, when present and secrets are configured,
 * must match (a wrong signature is never rescued by a token); otherwise the legacy token may
 * authenticate; with neither configured only `ALLOW_UNSIGNED=true` lets a delivery through.
 */
export function authenticateDelivery(
  rawBody: Buffer,
  credentials: DeliveryCredentials,
  auth: WebhookAuthConfig,
): AuthResult {
  const hasSecrets = auth.secrets.length > 0;
  if (hasSecrets && credentials.signature !== undefined) {
    const check = verifySignature(rawBody, credentials.signature, auth.secrets);
    if (check.ok) return { ok: true, method: 'signature' };
    return {
      ok: false,
      message:
        check.reason === 'malformed'
          ? 'X-SuperOffice-Signature is not one base64 HMAC-SHA256 value'
          : check.reason === 'missing'
            ? 'X-SuperOffice-Signature header is empty'
            : 'X-SuperOffice-Signature does not match the body',
    };
  }
  if (auth.token !== undefined && credentials.token !== undefined) {
    return constantTimeEquals(credentials.token, auth.token)
      ? { ok: true, method: 'token' }
      : { ok: false, message: 'token query parameter does not match' };
  }
  if (hasSecrets) return { ok: false, message: 'X-SuperOffice-Signature header is missing' };
  if (auth.token !== undefined) return { ok: false, message: 'token query parameter is missing' };
  return auth.allowUnsigned
    ? { ok: true, method: 'unsigned' }
    : { ok: false, message: 'webhook authentication is not configured' };
}
