import { UnrecoverableError, type Job } from 'bullmq';
import { ProviderError } from '@so-connector/enrichment';
import {
  BudgetExceededError,
  enrichDedupId,
  enrichJobSchema,
  mergeCauses,
  partitionOfJob,
  queueFor,
  takeCauses,
  type EnrichJobData,
} from '@so-connector/queue';
import { SuperOfficeError } from '@so-connector/superoffice-client';
import { isRevokedCredential } from '../../tenants/tenant-client';
import { TenantPausedError, type TenantPauses } from '../../tenants/tenant-pause';
import type { RunFact } from '@so-connector/sync-runs';
import type { EnrichOutcome } from '../../outcomes';
import type {
  EnrichDeps,
  EnrichJob,
  EnrichProcessorDeps,
  EnrichTenant,
  JobCounters,
} from './enrich-context';
import { enrichContact } from './enrich-contact';
import { enrichPerson } from './enrich-person';

export type { EnrichProcessorDeps, EnrichTenant } from './enrich-context';

/** The cause a backfill gives its enrichments: `backfill:<runId>`. */
const BACKFILL_CAUSE = 'backfill:';

/**
 * `so-enrich`: read the record fresh (a person's company too), skip the provider when the inputs'
 * fingerprint is unchanged, map, diff against what the record holds, and PATCH only the fields that
 * differ — with a `test` on UpdatedDate, so a human edit in between is a conflict: read again and
 * diff again. Idempotent: a re-run after a crash finds nothing left to write.
 *
 * This file parses the job, keeps its sync-run facts and classifies failures; enrich-contact.ts and
 * enrich-person.ts read and enrich each kind of record, write-back.ts is the diff-and-PATCH they share.
 * The client, provider, UDF targets and owner scope are the job's tenant's (`tenant`).
 */
export function createEnrichProcessor(shared: EnrichProcessorDeps) {
  return async (job: Job<EnrichJobData>, tenant: EnrichTenant): Promise<EnrichOutcome> => {
    const deps: EnrichDeps = {
      ...shared,
      client: tenant.client,
      provider: tenant.provider,
      targets: tenant.targets,
      ownerScope: tenant.ownerScope,
    };
    const parsed = enrichJobSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(
        `invalid so-enrich job data: ${parsed.error.issues[0]?.message}`,
      );
    const data = parsed.data;
    const counters: JobCounters = { superoffice: 0, provider: 0, patches: 0 };
    const account: EnrichJob['account'] = {
      id: data.accountId ?? (data.entity === 'contact' ? data.recordId : 0),
    };
    const fact = (status: RunFact['status'], extra: Partial<RunFact> = {}): RunFact => ({
      id: `enrich:${job.id ?? data.recordId}`,
      kind: 'enrichment',
      tenant: data.tenant,
      accountId: account.id,
      at: new Date().toISOString(),
      status,
      record: { entity: data.entity, id: data.recordId },
      ...(account.name ? { accountName: account.name } : {}),
      ...(account.owner ? { ownerName: account.owner } : {}),
      job: { queue: job.queueName, id: job.id ?? '' },
      ...extra,
    });
    const run: EnrichJob = {
      deps,
      data,
      counters,
      account,
      running: () => deps.runs.write({ fact: fact('RUNNING') }),
    };

    try {
      // The tenant's SuperOffice budget is spent for this minute (a call of it was refused here):
      // the job waits now, as its first read would make it, without taking its causes first.
      const spentUntil = await tenant.superOfficeSpentUntil?.();
      if (spentUntil !== undefined)
        throw new BudgetExceededError(data.tenant, 'superoffice', spentUntil);
      // The events (and other causes) this job covers; kept on the job so its retries say the same.
      const taken = await takeCauses(
        // The causes are keys of the job's own queue: the partition it came from, which is its
        // tenant's unless a producer ran with another QUEUE_PARTITIONS (then the tenant's, at this
        // count, would hold none and the job's would stay behind).
        partitionOfJob(deps.enrichQueue, job) ?? queueFor(deps.enrichQueue, data.tenant),
        enrichDedupId(data.tenant, data.entity, data.recordId),
      );
      const eventIds = mergeCauses(data.eventIds ?? [], [...taken, data.lastEventId]);
      if (taken.length) await job.updateData({ ...job.data, eventIds });
      // A person's account is known only once the person is read (enrichPerson records it then).
      if (data.entity === 'contact') await run.running();
      const result = data.entity === 'contact' ? await enrichContact(run) : await enrichPerson(run);
      await countBackfillOutcome(deps, data.tenant, eventIds, result);
      await deps.runs.write({
        fact: fact(result.outcome === 'skipped' ? 'SKIPPED' : 'COMPLETED', {
          calls: counters,
          ...(result.outcome === 'skipped' ? { reason: result.reason, detail: result.detail } : {}),
          ...(result.outcome === 'written' ? { fieldsWritten: result.changes } : {}),
          ...(result.providerLatencyMs !== undefined
            ? { providerLatencyMs: result.providerLatencyMs }
            : {}),
          ...(result.notes.length ? { detail: result.notes.join('; ') } : {}),
        }),
      });
      if (result.outcome === 'written') {
        deps.logger.info('record written', {
          tenant: data.tenant,
          entity: data.entity,
          recordId: data.recordId,
          fields: result.changes.map((c) => c.key),
          eventIds,
          provider: result.providerCalled ? 'called' : 'reused',
        });
        return {
          outcome: 'written',
          fields: result.changes.map((c) => c.key),
          providerCalled: result.providerCalled,
        };
      }
      if (result.outcome === 'skipped')
        deps.logger.debug('enrichment skipped', {
          tenant: data.tenant,
          entity: data.entity,
          recordId: data.recordId,
          reason: result.reason,
        });
      if (result.outcome === 'unchanged')
        return { outcome: 'unchanged', providerCalled: result.providerCalled };
      return { outcome: 'skipped', reason: result.reason, detail: result.detail };
    } catch (error) {
      // A revoked credential is not this job's failure: the tenant's jobs wait (servePerTenant).
      if (isRevokedCredential(error)) throw error;
      const failure = await classify(error, data.tenant, deps.pauses);
      // Over budget or told to wait (Retry-After): deferred, for this tenant only, until then
      // (servePerTenant), without using an attempt; the run shows why.
      if (failure instanceof BudgetExceededError || failure instanceof TenantPausedError) {
        await deps.runs.write({
          fact: fact('QUEUED', {
            calls: counters,
            reason: failure instanceof BudgetExceededError ? 'over-budget' : 'rate-limited',
            detail: failure.message,
          }),
        });
        throw failure;
      }
      await deps.runs.write({
        fact: fact('FAILED', {
          calls: counters,
          error: failure.message,
          reason: failure instanceof UnrecoverableError ? 'permanent' : 'will-retry',
        }),
      });
      throw failure;
    }
  };
}

/** For each `backfill:<runId>` cause of the job: the run's enriched / unchanged / skipped count. */
async function countBackfillOutcome(
  deps: EnrichProcessorDeps,
  tenant: string,
  causes: readonly string[],
  result: { outcome: 'written' | 'unchanged' | 'skipped'; providerCalled?: boolean },
): Promise<void> {
  const outcome = result.outcome === 'written' ? 'enriched' : result.outcome;
  for (const cause of causes)
    if (cause.startsWith(BACKFILL_CAUSE))
      await deps.backfills.countOutcome(
        tenant,
        cause.slice(BACKFILL_CAUSE.length),
        outcome,
        result.providerCalled === true,
      );
}

/**
 * Maps a failure to BullMQ's vocabulary: a plain Error retries, UnrecoverableError does not; a
 * Retry-After pauses the tenant (TenantPausedError: the job waits without using an attempt).
 */
async function classify(error: unknown, tenant: string, pauses: TenantPauses): Promise<Error> {
  if (error instanceof SuperOfficeError || error instanceof ProviderError) {
    if (error.retryable) {
      if (error.retryAfterMs) {
        const source = error instanceof SuperOfficeError ? 'superoffice' : 'provider';
        return pauses.pause(tenant, source, error.retryAfterMs);
      }
      return new Error(error.message);
    }
    if (error instanceof SuperOfficeError && error.conflict)
      return new Error(`${error.message}; the record changed again, retrying`);
    // A refused token may be a passing problem at SuperOffice's login service: retry with the
    // backoff rather than lose the enrichment; a lasting one shows as failed jobs and alerts.
    if (error instanceof SuperOfficeError && error.kind === 'auth') return new Error(error.message);
    return new UnrecoverableError(error.message);
  }
  return error instanceof Error ? error : new Error(String(error));
}
