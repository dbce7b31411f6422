import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636: `BASE64URL(SHA256(ASCII(code_verifier)))`, the S256 `code_challenge`. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** A fresh PKCE pair: 32 random bytes as a 43-character verifier, and its S256 challenge. */
export function createPkcePair(): { readonly verifier: string; readonly challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier) };
}

/** 32 random bytes, base64url: an OAuth `state` or `nonce` nobody can guess. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
