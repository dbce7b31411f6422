import type { Cluster, Redis } from 'ioredis';
import { StoredTenantError, TenantSecretsError } from './errors';
import { decodeStoredTenant, encodeStoredTenant } from './stored-tenant';
import type { TenantConfig } from './tenant-config';

/**
 * The hash field that counts changes. A contextIdentifier never contains ':', so it cannot clash,
 * and keeping it in the same key as the tenants makes write + count one single-key MULTI, which
 * also holds on Redis Cluster (DESIGN.md "Beyond one Redis").
 */
const VERSION_FIELD = ':version';

/** Writes ARGV[3] into field ARGV[1] only while it still holds ARGV[2]; bumps the version. */
const COMPARE_AND_SET = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HINCRBY', KEYS[1], ARGV[4], 1)
return 1`;

/** How often `update` reads again after a concurrent write before it gives up. */
const UPDATE_ATTEMPTS = 5;

type ExecReplies = [error: Error | null, result: unknown][];

/** MULTI/EXEC reports a failed command in its reply list rather than by rejecting. */
function checked(replies: ExecReplies | null): ExecReplies {
  if (replies === null) throw new Error('[tenants] Redis transaction was aborted');
  const failed = replies.find(([error]) => error !== null);
  if (failed?.[0]) throw failed[0];
  return replies;
}

export interface TenantStoreOptions {
  readonly redis: Redis | Cluster;
  /** Key prefix (QUEUE_PREFIX); may be a hash tag such as `{so}`. */
  readonly prefix: string;
  /** TENANT_SECRETS_KEY (see parseSecretsKey); undefined refuses any stored tenant. */
  readonly secretsKey: Buffer | undefined;
}

export interface StoredTenants {
  /** Changes made so far; a reader reloads when it differs from what it last read. */
  readonly version: number;
  readonly tenants: readonly TenantConfig[];
}

/**
 * Onboarded tenants in Redis: one hash, field = contextIdentifier, value = JSON whose secrets are
 * encrypted with AES-256-GCM under TENANT_SECRETS_KEY. Every put and remove bumps a version that
 * the registry polls, so every process sees the change.
 */
export class TenantStore {
  /** The one Redis key the store uses. */
  readonly key: string;

  constructor(private readonly options: TenantStoreOptions) {
    this.key = `${options.prefix}:tenants`;
  }

  private requireKey(what: string): Buffer {
    if (this.options.secretsKey === undefined) {
      throw new TenantSecretsError('missing-key', `TENANT_SECRETS_KEY is not set: ${what}`);
    }
    return this.options.secretsKey;
  }

  /** Adds or replaces a tenant. */
  async put(tenant: TenantConfig): Promise<void> {
    const value = encodeStoredTenant(
      tenant,
      this.requireKey('an onboarded tenant is stored encrypted with it'),
    );
    checked(
      await this.options.redis
        .multi()
        .hset(this.key, tenant.contextIdentifier, value)
        .hincrby(this.key, VERSION_FIELD, 1)
        .exec(),
    );
  }

  /**
   * Changes one stored tenant atomically: `change` gets the tenant as stored and returns its new
   * form, which is written only if the tenant's stored value is still the one read (a
   * compare-and-set in one Lua script; every write encrypts with a fresh IV, so a value is never
   * written twice); otherwise the tenant is read and changed again. Unlike WATCH, this holds on
   * a connection shared with other requests and needs one key only (Redis Cluster).
   * @returns the tenant written, or undefined when none is stored under that id.
   * @throws StoredTenantError when `change` renames the tenant, or the tenant keeps changing.
   */
  async update(
    contextIdentifier: string,
    change: (tenant: TenantConfig) => TenantConfig | Promise<TenantConfig>,
  ): Promise<TenantConfig | undefined> {
    const key = this.requireKey('an onboarded tenant is stored encrypted with it');
    const redis = this.options.redis;
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const stored = await redis.hget(this.key, contextIdentifier);
      if (stored === null) return undefined;
      const next = await change(decodeStoredTenant(contextIdentifier, stored, key));
      if (next.contextIdentifier !== contextIdentifier)
        throw new StoredTenantError(contextIdentifier, 'an update must keep the contextIdentifier');
      const value = encodeStoredTenant(next, key);
      const written = await redis.eval(
        COMPARE_AND_SET,
        1,
        this.key,
        contextIdentifier,
        stored,
        value,
        VERSION_FIELD,
      );
      // 0: the tenant was written (or removed) in between; read it again.
      if (Number(written) === 1) return next;
    }
    throw new StoredTenantError(
      contextIdentifier,
      `the tenant changed during each of ${UPDATE_ATTEMPTS} attempts to update it; try again`,
    );
  }

  /**
   * One stored tenant, decrypted and validated; undefined when none is stored under that id.
   * @throws TenantSecretsError as `load` does.
   */
  async get(contextIdentifier: string): Promise<TenantConfig | undefined> {
    if (contextIdentifier === VERSION_FIELD) return undefined;
    const stored = await this.options.redis.hget(this.key, contextIdentifier);
    if (stored === null) return undefined;
    return decodeStoredTenant(
      contextIdentifier,
      stored,
      this.requireKey('an onboarded tenant is stored encrypted with it'),
    );
  }

  /** Removes a tenant; false when it was not stored. */
  async remove(contextIdentifier: string): Promise<boolean> {
    const replies = checked(
      await this.options.redis
        .multi()
        .hdel(this.key, contextIdentifier)
        .hincrby(this.key, VERSION_FIELD, 1)
        .exec(),
    );
    return replies[0]?.[1] === 1;
  }

  /**
   * Refuses to go on when tenants are stored and no TENANT_SECRETS_KEY is set: a process that
   * skipped them would answer their webhooks 401 (or leave their jobs waiting). The worker meets
   * it in `load`; the receiver, which reads the store only with a key, asks this at start-up.
   * Reads the field names only; with a key set it asks nothing.
   * @throws TenantSecretsError `missing-key`, the line `load` throws.
   */
  async requireKeyWhenStored(): Promise<void> {
    if (this.options.secretsKey !== undefined) return;
    const fields = await this.options.redis.hkeys(this.key);
    const stored = fields.filter((field) => field !== VERSION_FIELD).length;
    if (stored > 0) this.requireKeyForStored(stored);
  }

  /** The key to read `count` (≥ 1) stored tenants with; one line naming TENANT_SECRETS_KEY without it. */
  private requireKeyForStored(count: number): Buffer {
    return this.requireKey(
      `${count} onboarded tenant(s) are stored encrypted in Redis (${this.key}); set the key they were stored with`,
    );
  }

  /** The change counter (0 before the first change). */
  async version(): Promise<number> {
    return Number((await this.options.redis.hget(this.key, VERSION_FIELD)) ?? 0);
  }

  /**
   * Every stored tenant, decrypted and validated, with the version of that same snapshot.
   * @throws TenantSecretsError `missing-key` when tenants are stored and no key is set, `wrong-key`
   *   or `tampered` when one does not decrypt; StoredTenantError for a damaged record.
   */
  async load(): Promise<StoredTenants> {
    const fields = await this.options.redis.hgetall(this.key);
    const version = Number(fields[VERSION_FIELD] ?? 0);
    const entries = Object.entries(fields).filter(([field]) => field !== VERSION_FIELD);
    if (entries.length === 0) return { version, tenants: [] };
    const key = this.requireKeyForStored(entries.length);
    const tenants = entries
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([ctx, value]) => decodeStoredTenant(ctx, value, key));
    return { version, tenants };
  }
}
