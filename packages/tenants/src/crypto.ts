import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { decodeSecretsKey } from '@so-connector/config';
import { TenantSecretsError } from './errors';

// 96-bit IVs are GCM's native size (NIST SP 800-38D §8.2); a fresh random one per value.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'enc:v1';

/**
 * Reads TENANT_SECRETS_KEY: 32 bytes written as 64 hex digits or as base64 (standard or URL-safe,
 * padding optional); the rule is packages/config's `decodeSecretsKey`, which checks the variable
 * at start-up. Anything else is a `bad-key` error that does not echo the value.
 */
export function parseSecretsKey(text: string): Buffer {
  const decoded = decodeSecretsKey(text);
  if (!decoded.ok) throw new TenantSecretsError('bad-key', `TENANT_SECRETS_KEY ${decoded.reason}`);
  return decoded.key;
}

/** A short, non-secret fingerprint of the key, stored with each value to tell "wrong key" apart. */
export function keyId(key: Buffer): string {
  return createHash('sha256')
    .update('so-connector tenant secrets key id\0')
    .update(key)
    .digest('hex')
    .slice(0, 12);
}

/**
 * Encrypts one value with AES-256-GCM under `key` and a random IV. `context` (tenant and field) is
 * bound as additional authenticated data, so a value copied to another tenant or field fails to
 * decrypt. The result is `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64 parts).
 */
export function encryptValue(plain: string, key: Buffer, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64'));
  return `${FORMAT}:${keyId(key)}:${parts.join(':')}`;
}

/** True when `value` has the shape {@link encryptValue} produces. */
export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(`${FORMAT}:`);
}

/**
 * Decrypts a value made by {@link encryptValue} with the same `context`.
 * @throws TenantSecretsError `wrong-key` when it was encrypted under another key; `tampered` when
 *   the authentication tag does not match (value, IV, tag or context altered).
 */
export function decryptValue(sealed: string, key: Buffer, context: string): string {
  const parts = sealed.split(':');
  const [, , storedKeyId, iv64, tag64, data64] = parts;
  if (parts.length !== 6 || !isEncrypted(sealed) || data64 === undefined) {
    throw new TenantSecretsError('tampered', `${context}: not an encrypted value`);
  }
  if (storedKeyId !== keyId(key)) {
    throw new TenantSecretsError(
      'wrong-key',
      `${context}: encrypted under another TENANT_SECRETS_KEY (key id ${storedKeyId}, the configured key is ${keyId(key)})`,
    );
  }
  const iv = Buffer.from(iv64!, 'base64');
  const tag = Buffer.from(tag64!, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new TenantSecretsError('tampered', `${context}: the IV or authentication tag is damaged`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(Buffer.from(data64, 'base64')), decipher.final()]);
    return plain.toString('utf8');
  } catch {
    throw new TenantSecretsError(
      'tampered',
      `${context}: authentication failed (the stored value was altered)`,
    );
  }
}
