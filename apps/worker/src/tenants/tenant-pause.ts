import type { Cluster, Redis } from 'ioredis';
import { prefixOfTenant, type TenantKeyPrefixOption } from '@so-connector/queue';
import { readTenantPause, tenantPauseKey, type PauseSource } from '@so-connector/tenants';

export type { PauseSource };

/**
 * The longest pause a Retry-After can set: a far-off date or a day in seconds must not park a
 * tenant silently; after an hour its jobs ask again (and are told to wait again if need be).
 */
export const MAX_PAUSE_MS = 3_600_000;

/** Moves the pause's end later, never earlier: `SET until PX ms` only when `until` is later. */
const EXTEND = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return tonumber(ARGV[1])
end
return current`;

/**
 * A tenant's jobs that call SuperOffice or the provider wait until `retryAt`, without using an
 * attempt (servePerTenant moves them to delayed); the other tenants' jobs run on.
 */
export class TenantPausedError extends Error {
  constructor(
    readonly tenant: string,
    readonly source: PauseSource,
    readonly retryAt: number,
  ) {
    super(
      `tenant ${tenant}: ${source === 'superoffice' ? 'SuperOffice' : 'the enrichment provider'} asked to wait (Retry-After) until ${new Date(retryAt).toISOString()}`,
    );
    this.name = 'TenantPausedError';
  }
}

/**
 * Retry-After per tenant, shared by every worker process: one expiring key per tenant and source
 * holding the time the pause ends. One tenant's 429 or 503 defers that tenant's jobs only — a
 * queue-wide pause (BullMQ's `worker.rateLimit`) would hold up every other tenant too.
 */
export class TenantPauses {
  /**
   * `prefix` is QUEUE_PREFIX (a provider credential's pause, shared by tenants, is under it);
   * `tenantPrefix` where each tenant's pauses are (its partition's: tenant-keys.ts).
   */
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly tenantPrefix: TenantKeyPrefixOption = prefix,
  ) {}

  private key(tenant: string, source: PauseSource): string {
    return tenantPauseKey(prefixOfTenant(this.tenantPrefix, tenant), tenant, source);
  }

  /** Pauses the tenant's calls to `source` for `ms`, at most MAX_PAUSE_MS (a longer pause already set is kept). */
  async pause(
    tenant: string,
    source: PauseSource,
    ms: number,
    now = Date.now(),
  ): Promise<TenantPausedError> {
    const wait = Math.min(MAX_PAUSE_MS, Math.max(1, Math.ceil(ms)));
    const until = Number(
      await this.redis.eval(EXTEND, 1, this.key(tenant, source), now + wait, wait),
    );
    return new TenantPausedError(tenant, source, until);
  }

  /**
   * Pauses every call with one provider credential (providerCredentialId) for `ms`, at most
   * MAX_PAUSE_MS: the tenants that share the key share its rate limit. Returns when it ends.
   */
  async pauseCredential(credential: string, ms: number, now = Date.now()): Promise<number> {
    const wait = Math.min(MAX_PAUSE_MS, Math.max(1, Math.ceil(ms)));
    return Number(
      await this.redis.eval(EXTEND, 1, this.credentialKey(credential), now + wait, wait),
    );
  }

  /** When the credential's pause ends, if one is in force. */
  async credentialPausedUntil(credential: string, now = Date.now()): Promise<number | undefined> {
    const until = Number((await this.redis.get(this.credentialKey(credential))) ?? 0);
    return until > now ? until : undefined;
  }

  /** `{prefix}:pause:provider-credential:{hash}`: the hash, never the key (tenant keys hold `{`). */
  private credentialKey(credential: string): string {
    return `${this.prefix}:pause:provider-credential:${credential}`;
  }

  /** The pause in force for the tenant (the later one when both sources paused it), if any. */
  async current(tenant: string, now = Date.now()): Promise<TenantPausedError | undefined> {
    const pause = await readTenantPause(
      this.redis,
      prefixOfTenant(this.tenantPrefix, tenant),
      tenant,
      now,
    );
    return pause && new TenantPausedError(tenant, pause.source, pause.untilMs);
  }
}
