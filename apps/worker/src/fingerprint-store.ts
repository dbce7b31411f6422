import type { Cluster, Redis } from 'ioredis';
import { prefixOfTenant, type TenantKeyPrefixOption } from '@so-connector/queue';

export interface LastEnrichment {
  /** Fingerprint of the inputs of the last successful enrichment. */
  readonly fingerprint: string;
  /** The UDF values it produced, so unchanged inputs can restore them without asking the provider. */
  readonly values: Record<string, string>;
  readonly at: string;
}

/** The last successful enrichment per record, in Redis (kept 90 days after its last use). */
export class FingerprintStore {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: TenantKeyPrefixOption,
  ) {}

  private key(tenant: string, entity: string, id: number): string {
    return `${prefixOfTenant(this.prefix, tenant)}:enriched:${tenant}:${entity}:${id}`;
  }

  async get(tenant: string, entity: string, id: number): Promise<LastEnrichment | undefined> {
    const raw = await this.redis.get(this.key(tenant, entity, id));
    return raw ? (JSON.parse(raw) as LastEnrichment) : undefined;
  }

  async set(tenant: string, entity: string, id: number, value: LastEnrichment): Promise<void> {
    await this.redis.set(this.key(tenant, entity, id), JSON.stringify(value), 'EX', 90 * 24 * 3600);
  }
}
