import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

/** The app's RSA private key as given: PEM text (PKCS#1 or PKCS#8), its bytes, or a KeyObject. */
export type AppPrivateKeyInput = string | Buffer | KeyObject;

/** Thrown for a key that cannot sign; its message never contains key material. */
export class AppPrivateKeyError extends Error {
  override readonly name = 'AppPrivateKeyError';
}

/**
 * The app's private key as a KeyObject, checked once: it must be an RSA private key. A PEM read
 * from a file or an environment variable may carry literal `\n` sequences; those are newlines.
 */
export function loadAppPrivateKey(input: AppPrivateKeyInput): KeyObject {
  let key: KeyObject;
  try {
    key =
      typeof input === 'string'
        ? createPrivateKey(input.replace(/\\n/g, '\n').trim())
        : Buffer.isBuffer(input)
          ? createPrivateKey(input)
          : input;
  } catch {
    throw new AppPrivateKeyError(
      "the app's private key is not a readable PEM private key (PKCS#1 or PKCS#8)",
    );
  }
  if (key.type !== 'private')
    throw new AppPrivateKeyError(`the app's private key is a ${key.type} key, not a private key`);
  if (key.asymmetricKeyType !== 'rsa')
    throw new AppPrivateKeyError(
      `the app's private key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not RSA`,
    );
  return key;
}

/** `yyyyMMddHHmm` in UTC with leading zeros, the time stamp of a signed system token. */
export function systemTokenTimestamp(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    String(at.getUTCFullYear()) +
    pad(at.getUTCMonth() + 1) +
    pad(at.getUTCDate()) +
    pad(at.getUTCHours()) +
    pad(at.getUTCMinutes())
  );
}

/**
 * `{systemUserToken}.{yyyyMMddHHmm}.{base64 signature}`: the first two parts signed with the app's
 * key, RSA-SHA256 with PKCS#1 v1.5 padding, standard Base64 (superoffice-api.md 5.5;
 * SuperOfficeDocs `auth-application/sign-system-user-token.md`).
 */
export function signSystemUserToken(systemUserToken: string, key: KeyObject, at: Date): string {
  const data = `${systemUserToken}.${systemTokenTimestamp(at)}`;
  return `${data}.${sign('sha256', Buffer.from(data, 'utf8'), key).toString('base64')}`;
}
