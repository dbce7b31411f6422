import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The header SuperOffice signs deliveries with (only when the webhook has a Secret). */
export const SIGNATURE_HEADER = 'x-superoffice-signature';

/** Standard base64 of a 32-byte HMAC-SHA256 digest: 43 characters and one `=`. */
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

export type SignatureCheck =
  | {
      readonly ok: true;
      /** Which configured secret matched (0 = current). */ readonly secretIndex: number;
    }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'mismatch' };

/**
 * Verifies `X-SuperOffice-Signature`: base64 HMAC-SHA256 of the raw body bytes with the UTF-8
 * secret (superoffice-api.md 1.1), compared in constant time against every configured secret so
 * that a rotation can overlap. The body must be the bytes as received, never re-serialised JSON.
 */
export function verifySignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly string[],
): SignatureCheck {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
  const provided = header.trim();
  if (!BASE64_SHA256.test(provided)) return { ok: false, reason: 'malformed' };
  const providedDigest = Buffer.from(provided, 'base64');
  let matched = -1;
  // Every secret is tried, so the time taken does not tell which one (or whether any) matched.
  secrets.forEach((secret, index) => {
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest();
    if (timingSafeEqual(expected, providedDigest) && matched === -1) matched = index;
  });
  return matched >= 0 ? { ok: true, secretIndex: matched } : { ok: false, reason: 'mismatch' };
}

/** Constant-time equality of two strings of any length (hashes first, so lengths do not leak). */
export function constantTimeEquals(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
