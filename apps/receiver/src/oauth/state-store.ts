import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A sign-in must come back within this long (SuperOffice's code itself lives 10 minutes). */
export const STATE_TTL_MS = 10 * 60_000;
/**
 * An expired state is kept this much longer, so its callback can say "expired" rather than
 * "unknown"; it is never accepted after STATE_TTL_MS.
 */
const TOMBSTONE_MS = 50 * 60_000;

/** What the connect step remembers for its callback; nothing of it leaves the server. */
export interface PendingSignIn {
  /** The PKCE code_verifier (the authorize request carried only its S256 challenge). */
  readonly verifier: string;
  readonly nonce: string;
  /** SHA-256 (hex) of the browser-binding cookie set with the redirect. */
  readonly browser: string;
  readonly createdAt: number;
}

export type TakenState =
  | { readonly kind: 'ok'; readonly signIn: PendingSignIn }
  | { readonly kind: 'expired' }
  | { readonly kind: 'unknown' };

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * OAuth `state` values in Redis, single use: `take` reads and deletes in one GETDEL, so two
 * callbacks with the same state cannot both pass. The key is a hash of the state, so the Redis
 * key space does not hold values that would complete a sign-in.
 */
export class OAuthStateStore {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  private key(state: string): string {
    return `${this.prefix}:oauth-state:${sha256Hex(state)}`;
  }

  async put(state: string, signIn: PendingSignIn): Promise<void> {
    await this.redis.set(
      this.key(state),
      JSON.stringify(signIn),
      'PX',
      STATE_TTL_MS + TOMBSTONE_MS,
    );
  }

  /** The sign-in a state belongs to, once: a second take of the same state is `unknown`. */
  async take(state: string): Promise<TakenState> {
    if (state === '' || state.length > 200) return { kind: 'unknown' };
    // GET and DEL in one transaction (GETDEL would need Redis 6.2): a state is taken once.
    const reply = await this.redis.multi().get(this.key(state)).del(this.key(state)).exec();
    const raw = reply?.[0]?.[1];
    if (typeof raw !== 'string') return { kind: 'unknown' };
    const signIn = JSON.parse(raw) as PendingSignIn;
    if (this.now() - signIn.createdAt > STATE_TTL_MS) return { kind: 'expired' };
    return { kind: 'ok', signIn };
  }
}
