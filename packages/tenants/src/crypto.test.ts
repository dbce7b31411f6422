import { randomBytes } from 'node:crypto';
import { decryptValue, encryptValue, isEncrypted, keyId, parseSecretsKey } from './crypto';
import { thrownBy } from '../test/builders';
import { TenantSecretsError } from './errors';

const key = randomBytes(32);
const otherKey = randomBytes(32);
const SECRET = 'refresh-token-6f1c2a';
const CONTEXT = 'Cust1/credentials.refreshToken';

const failure = (run: () => unknown) => thrownBy(run, TenantSecretsError);

describe('parseSecretsKey', () => {
  it('reads 32 bytes written as hex, base64 or base64url', () => {
    expect(parseSecretsKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretsKey(` ${key.toString('base64')}\n`)).toEqual(key);
    expect(parseSecretsKey(key.toString('base64url'))).toEqual(key);
  });

  it.each([
    ['16 bytes of hex', randomBytes(16).toString('hex'), '; it decodes to 24 bytes'],
    ['33 bytes of base64', randomBytes(33).toString('base64'), '; it decodes to 33 bytes'],
    ['a passphrase', 'correct horse battery staple', ''],
  ])('refuses %s with one line that does not echo it', (_, text, suffix) => {
    const error = failure(() => parseSecretsKey(text));
    expect(error.code).toBe('bad-key');
    expect(error.message).toBe(
      `[tenants] TENANT_SECRETS_KEY must be 32 bytes written as 64 hex digits or base64 (e.g. \`openssl rand -base64 32\`)${suffix}`,
    );
    expect(error.message).not.toContain(text);
  });
});

describe('encryptValue / decryptValue', () => {
  it('round-trips a value, with a fresh IV each time', () => {
    const a = encryptValue(SECRET, key, CONTEXT);
    const b = encryptValue(SECRET, key, CONTEXT);
    expect(a).not.toBe(b);
    expect(isEncrypted(a)).toBe(true);
    expect(a).not.toContain(SECRET);
    expect(a).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(decryptValue(a, key, CONTEXT)).toBe(SECRET);
    expect(decryptValue(b, key, CONTEXT)).toBe(SECRET);
    expect(decryptValue(encryptValue('', key, CONTEXT), key, CONTEXT)).toBe('');
  });

  it('names a wrong key as such, by key id', () => {
    const error = failure(() =>
      decryptValue(encryptValue(SECRET, key, CONTEXT), otherKey, CONTEXT),
    );
    expect(error.code).toBe('wrong-key');
    expect(error.message).toBe(
      `[tenants] ${CONTEXT}: encrypted under another TENANT_SECRETS_KEY (key id ${keyId(key)}, the configured key is ${keyId(otherKey)})`,
    );
  });

  it.each([
    ['ciphertext', 5],
    ['authentication tag', 4],
    ['IV', 3],
  ])('detects an altered %s', (_, part) => {
    const parts = encryptValue(SECRET, key, CONTEXT).split(':');
    const bytes = Buffer.from(parts[part]!, 'base64');
    bytes[0] = bytes[0]! ^ 0x01;
    parts[part] = bytes.toString('base64');
    const error = failure(() => decryptValue(parts.join(':'), key, CONTEXT));
    expect(error.code).toBe('tampered');
    expect(error.message).not.toContain(SECRET);
  });

  it('refuses a value moved to another tenant or field (the context is authenticated)', () => {
    const sealed = encryptValue(SECRET, key, CONTEXT);
    expect(failure(() => decryptValue(sealed, key, 'Cust2/credentials.refreshToken')).code).toBe(
      'tampered',
    );
    expect(failure(() => decryptValue(sealed, key, 'Cust1/provider.apiKey')).code).toBe('tampered');
  });

  it('refuses a truncated value or plain text', () => {
    const sealed = encryptValue(SECRET, key, CONTEXT);
    expect(
      failure(() => decryptValue(sealed.split(':').slice(0, 5).join(':'), key, CONTEXT)).code,
    ).toBe('tampered');
    expect(failure(() => decryptValue(SECRET, key, CONTEXT)).code).toBe('tampered');
  });
});
