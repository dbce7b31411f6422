import { createHmac } from 'node:crypto';

/**
 * `X-SuperOffice-Signature` for a body: base64 HMAC-SHA256 of the raw bytes, key = UTF-8 secret
 * (superoffice-api.md 1.1). Written independently of the receiver's verifier so that a misreading
 * cannot hide in both; the section 1.4 vectors pin both down.
 */
export function signWebhookBody(body: string | Buffer, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('base64');
}
