import type { EnrichmentProvider, FieldChange } from '@so-connector/enrichment';
import { ownerInScope, type OwnerScope } from '@so-connector/filters';
import type { Logger } from '@so-connector/logger';
import type { BackfillProgressStore, EnrichJobData, PartitionedQueue } from '@so-connector/queue';
import {
  SuperOfficeError,
  type ContactEntity,
  type SuperOfficeClient,
} from '@so-connector/superoffice-client';
import type { RunWriter } from '@so-connector/sync-runs';
import type { FingerprintStore } from '../../fingerprint-store';
import type { ProviderResultStore } from '../../provider-result-store';
import type { TenantPauses } from '../../tenants/tenant-pause';
import type { UdfTargets } from '../../udf-targets';

/** What an enrichment needs of its job's tenant (its TenantRuntime). */
export interface EnrichTenant {
  readonly client: SuperOfficeClient;
  readonly provider: EnrichmentProvider;
  readonly targets: UdfTargets;
  readonly ownerScope: OwnerScope | undefined;
  /** When the tenant's SuperOffice budget is known spent: when its next call may be made. */
  readonly superOfficeSpentUntil?: (() => Promise<number | undefined>) | undefined;
}

/** What every enrichment shares, whatever its tenant (stores are keyed by tenant). */
export interface EnrichProcessorDeps {
  readonly fingerprints: FingerprintStore;
  /** Provider answers by input fingerprint, kept from the moment they arrive. */
  readonly providerResults: ProviderResultStore;
  /**
   * Where the job's facts go: the sync-run store's batcher (SyncRunStore.batcher), shared with
   * the events stage, so concurrent jobs' facts share a round trip; each job awaits its own.
   */
  readonly runs: Pick<RunWriter, 'write'>;
  /** Backfill runs: an enrichment caused by `backfill:<runId>` counts its outcome there. */
  readonly backfills: BackfillProgressStore;
  /** The `so-enrich` queue: the causes producers recorded for a record are taken from it. */
  readonly enrichQueue: PartitionedQueue<EnrichJobData>;
  readonly logger: Logger;
  /** When SuperOffice or the provider says Retry-After: pauses the job's tenant only. */
  readonly pauses: TenantPauses;
}

export interface JobCounters {
  superoffice: number;
  provider: number;
  patches: number;
}

/** One job's dependencies: the shared ones and its tenant's. */
export type EnrichDeps = EnrichProcessorDeps & EnrichTenant;

/** What one job knows while it runs: its data, its counters, and the account it learns about. */
export interface EnrichJob {
  readonly deps: EnrichDeps;
  readonly data: EnrichJobData;
  readonly counters: JobCounters;
  /** The account the sync run is filed under; a person's is known only once the person is read. */
  readonly account: { id: number; name?: string | undefined; owner?: string | undefined };
  /** Records the job as RUNNING on the account's sync run. */
  running(): Promise<void>;
}

export type EnrichResult =
  | {
      outcome: 'written';
      changes: FieldChange[];
      providerCalled: boolean;
      providerLatencyMs: number | undefined;
      notes: string[];
    }
  | {
      outcome: 'unchanged';
      providerCalled: boolean;
      providerLatencyMs: number | undefined;
      notes: string[];
    }
  | {
      outcome: 'skipped';
      reason: string;
      detail: string;
      providerLatencyMs?: undefined;
      notes: string[];
    };

export function skipped(reason: string, detail: string, notes: string[] = []): EnrichResult {
  return { outcome: 'skipped', reason, detail, notes };
}

/** A SuperOffice call, counted on the job's run. */
export function so<T>(job: EnrichJob, call: () => Promise<T>): Promise<T> {
  job.counters.superoffice++;
  return call();
}

/** Reads a record fresh; undefined when SuperOffice says it does not exist (deleted). */
export async function readOrGone<T>(
  job: EnrichJob,
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await so(job, read);
  } catch (error) {
    if (error instanceof SuperOfficeError && error.kind === 'not-found') return undefined;
    throw error;
  }
}

export function readContact(job: EnrichJob, id: number): Promise<ContactEntity | undefined> {
  return readOrGone(job, () => job.deps.client.getContact(id));
}

/** A skip when OWNER scope is set and the account's owner is not in it. */
export function scopeSkip(
  job: EnrichJob,
  owner:
    | { AssociateId?: number | null | undefined; Name?: string | null | undefined }
    | null
    | undefined,
): EnrichResult | undefined {
  if (!job.deps.ownerScope) return undefined;
  const verdict = ownerInScope(job.deps.ownerScope, {
    id: owner?.AssociateId ?? undefined,
    name: owner?.Name ?? undefined,
  });
  return verdict === 'in'
    ? undefined
    : skipped('out-of-scope', `owner ${owner?.Name ?? owner?.AssociateId ?? 'unknown'}`);
}
