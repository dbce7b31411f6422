import type { Cluster, Redis } from 'ioredis';
import { prefixOfTenant, type TenantKeyPrefixOption } from '@so-connector/queue';
import type { Mapping } from '@so-connector/enrichment';

/** A provider answer as the record's UDF values, with when it arrived. */
export interface StoredProviderResult extends Mapping {
  readonly at: string;
}

/**
 * Provider answers by input fingerprint (`targetedFingerprint`: what the provider reads, where the
 * values go, which provider), stored the moment they arrive and kept `ttlMs`. The record's
 * fingerprint store is only written after a successful write; this one lets a retry after a failed
 * PATCH (5xx, timeout, a crashed worker), a second worker, or a later job with the same inputs reuse
 * the answer instead of paying for the same provider call again. What is kept is the answer mapped
 * to UDF values: the mapping depends only on the answer and the targets, both part of the key.
 */
export class ProviderResultStore {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: TenantKeyPrefixOption,
    private readonly ttlMs: number,
  ) {}

  private key(tenant: string, entity: string, fingerprint: string): string {
    return `${prefixOfTenant(this.prefix, tenant)}:provider-result:${tenant}:${entity}:${fingerprint}`;
  }

  async get(
    tenant: string,
    entity: string,
    fingerprint: string,
  ): Promise<StoredProviderResult | undefined> {
    const raw = await this.redis.get(this.key(tenant, entity, fingerprint));
    return raw ? (JSON.parse(raw) as StoredProviderResult) : undefined;
  }

  async set(
    tenant: string,
    entity: string,
    fingerprint: string,
    value: StoredProviderResult,
  ): Promise<void> {
    await this.redis.set(
      this.key(tenant, entity, fingerprint),
      JSON.stringify(value),
      'PX',
      this.ttlMs,
    );
  }
}
