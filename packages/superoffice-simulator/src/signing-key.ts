import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly kid: string;
}
let signingKey: SigningKey | undefined;

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * The simulator's one RSA signing key, made on first use: SuperOffice signs its id_tokens and
 * system-user JWTs with one key per environment, published as a JWKS; a 2048-bit key takes a few
 * hundred ms to make.
 */
function key(): SigningKey {
  signingKey ??= {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }),
    kid: randomBytes(8).toString('hex'),
  };
  return signingKey;
}

/** The public half, as `GET /login/.well-known/jwks` serves it. */
export function publishedJwks(): { keys: Record<string, unknown>[] } {
  const { publicKey, kid } = key();
  return { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] };
}

/** An RS256 JWT of `claims`, signed with the published key (or with `otherKey`, to fake a forgery). */
export function signJwt(claims: Record<string, unknown>, otherKey?: KeyObject): string {
  const { privateKey, kid } = key();
  const header = { alg: 'RS256', typ: 'JWT', kid };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), otherKey ?? privateKey);
  return `${input}.${base64url(signature)}`;
}
