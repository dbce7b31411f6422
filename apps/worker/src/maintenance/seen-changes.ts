import type { Cluster, Redis } from 'ioredis';
import { prefixOfTenant, type TenantKeyPrefixOption } from '@so-connector/queue';
import { parseUdfValue } from '@so-connector/superoffice-client';
import { execRunWrites, SYNC_RUN_DEFAULTS, type MarkLaterWrite } from '@so-connector/sync-runs';

/**
 * How long a marker is kept: long enough for any scheduled sweep window (RECONCILE_INTERVAL_MS,
 * default 30 min, plus the overlap) many times over. A replay further back than this finds no
 * marker and falls back to comparing fingerprints, which costs at most a read, never a wrong skip.
 */
export const SEEN_CHANGE_TTL_SECONDS = 48 * 3600;

/**
 * A record's `updated` stamp as `YYYY-MM-DDTHH:MM:SS`, the form the OData feed's `updatedDate` has
 * (whole seconds). Webhook FieldValues carry it as `[DT:MM/dd/yyyy HH:mm:ss.fffffff]`
 * (superoffice-api.md 6.4) or, in the simulator, as the plain ISO form; both are read.
 */
export function normaliseStamp(value: unknown): string | undefined {
  const parsed = parseUdfValue(value);
  const text =
    parsed.kind === 'datetime' || parsed.kind === 'string' ? parsed.value.replace(/Z$/, '') : '';
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(text) ? text.slice(0, 19) : undefined;
}

/**
 * The "last seen change" per record: the `updated` stamp of the latest webhook event of a human's
 * change the events processor handled for it (relevant or irrelevant — whatever it decided, the
 * change was seen; the connector's own echoes are not marked). The sweep reads a record only when the feed shows a later `updatedDate`: a change whose
 * event SuperOffice dropped. One short string per changed record, with a TTL.
 */
export class SeenChanges {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: TenantKeyPrefixOption,
    private readonly ttlSeconds = SEEN_CHANGE_TTL_SECONDS,
  ) {}

  private key(tenant: string, entity: 'contact' | 'person', id: number): string {
    return `${prefixOfTenant(this.prefix, tenant)}:seen:${tenant}:${entity}:${id}`;
  }

  /**
   * The write that marks a record's change as seen: SET when later than the stored stamp (events
   * of one record may be handled out of order), the TTL refreshed either way. It goes in the same
   * round trip as the event's sync-run fact (SyncRunStore.recordMany / a batcher).
   */
  markWrite(
    tenant: string,
    entity: 'contact' | 'person',
    id: number,
    updated: string,
  ): MarkLaterWrite {
    return {
      op: 'mark-later',
      key: this.key(tenant, entity, id),
      value: updated,
      ttlSeconds: this.ttlSeconds,
    };
  }

  /** Marks a record's change as seen on its own (one round trip). */
  async mark(
    tenant: string,
    entity: 'contact' | 'person',
    id: number,
    updated: string,
  ): Promise<void> {
    await execRunWrites(
      this.redis,
      { facts: [], sides: [this.markWrite(tenant, entity, id, updated)] },
      SYNC_RUN_DEFAULTS,
    );
  }

  /**
   * Forgets a record's marker: its enrichment failed for good, so the change its event announced
   * is not done, and the sweep must compare fingerprints again (and enqueue it).
   */
  async forget(tenant: string, entity: 'contact' | 'person', id: number): Promise<void> {
    await this.redis.del(this.key(tenant, entity, id));
  }

  /** The markers of many records (one MGET per 500), by record id. */
  async many(
    tenant: string,
    entity: 'contact' | 'person',
    ids: readonly number[],
  ): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const values = await this.redis.mget(...chunk.map((id) => this.key(tenant, entity, id)));
      chunk.forEach((id, j) => {
        const value = values[j];
        if (value) out.set(id, value);
      });
    }
    return out;
  }
}
