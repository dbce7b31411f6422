/** TENANT_SECRETS_KEY is an AES-256 key: 32 bytes. */
export const SECRETS_KEY_BYTES = 32;

/** What TENANT_SECRETS_KEY must look like, for error lines (never the value). */
export const SECRETS_KEY_FORM =
  '32 bytes written as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)';

/**
 * The bytes of a TENANT_SECRETS_KEY: 64 hex digits, or base64 (standard or URL-safe, padding
 * optional) of 32 bytes. Else why not, without the value. The one rule for the form of the key:
 * packages/config checks it at start-up, packages/tenants' `parseSecretsKey` uses it to encrypt.
 */
export function decodeSecretsKey(
  text: string,
): { readonly ok: true; readonly key: Buffer } | { readonly ok: false; readonly reason: string } {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  }
  if (key?.length === SECRETS_KEY_BYTES) return { ok: true, key };
  const decoded = key === undefined ? '' : `; it decodes to ${key.length} bytes`;
  return { ok: false, reason: `must be ${SECRETS_KEY_FORM}${decoded}` };
}
