import { createHmac } from 'node:crypto';

/**
 * `X-SuperOffice-Signature`: base64 HMAC-SHA256 of the exact body bytes, key = UTF-8 secret
 * (superoffice-api.md 1.1). The simulator's own implementation: it imports nothing from the
 * connector, so a misreading cannot hide in both.
 */
export function signBody(body: string, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(body, 'utf8'))
    .digest('base64');
}
