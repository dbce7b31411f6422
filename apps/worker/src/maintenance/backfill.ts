import type { Job } from 'bullmq';
import type { Logger } from '@so-connector/logger';
import {
  BACKFILL_PRIORITY,
  maintenanceJobSchema,
  scheduleEnrichment,
  selectionOf,
  type BackfillProgress,
  type BackfillProgressStore,
  type BackfillResult,
  type BackfillSpec,
  type EnrichJobData,
  type EnrichmentTiming,
  type MaintenanceJobData,
  type PartitionedQueue,
} from '@so-connector/queue';
import {
  allOf,
  queryContactRows,
  queryPersonRows,
  updatedAfter,
  type ContactRow,
  type PersonRow,
} from '@so-connector/superoffice-client';
import { assessContacts, assessPersons, companyUdfKeys, type AssessDeps } from './assess-rows';
import {
  callsPerRecord,
  companyScope,
  hasCompanyScope,
  paceDelay,
  selectionFilters,
  someTargetEmpty,
} from './backfill-selection';
import { mayCallProvider, type RowVerdict } from './row-decision';

export interface BackfillDeps extends AssessDeps {
  readonly enrichQueue: PartitionedQueue<EnrichJobData>;
  readonly progress: BackfillProgressStore;
  readonly timing: EnrichmentTiming;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Candidate {
  readonly entity: 'contact' | 'person';
  readonly id: number;
  readonly accountId: number | undefined;
  readonly verdict: RowVerdict;
}

const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `backfill` (`so-maintenance`, added by `so-connector backfill`): selects records with the
 * OData feeds, decides each from its row as the sweep does (decideRow, without event markers: a
 * stored, current enrichment needs nothing), and enqueues the others through scheduleEnrichment()
 * — the same deduplication, fingerprints and diff as live traffic — at BACKFILL_PRIORITY, so live
 * enrichments run first, and at most `ratePerMinute`. Progress and the cursor (last id enqueued per
 * entity) are in Redis after every record: Ctrl-C in the CLI stops the run at the next record,
 * and the same selection resumes after the cursor; a worker that crashes leaves the job to
 * BullMQ's stalled-job check, and the next worker resumes it the same way.
 */
export function createBackfill(deps: BackfillDeps) {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? sleeper;
  return async (job: Job<MaintenanceJobData>): Promise<BackfillResult> => {
    const data = maintenanceJobSchema.parse(job.data);
    const spec = data.backfill;
    if (!spec) throw new Error('a backfill job needs its selection (data.backfill)');
    const tenant = data.tenant;
    const previous = await deps.progress.read(tenant, spec.runId);
    // A stopped or capped run, or one whose worker died (still `running`), goes on from its cursor.
    const resuming = previous !== undefined && previous.status !== 'completed' && !spec.dryRun;
    const cursor = resuming ? previous.cursor : { contact: 0, person: 0 };

    let feedCalls = 0;
    const onPage = () => void feedCalls++;
    const companyTargets = await deps.targets.company();
    const companyKeys = companyUdfKeys(companyTargets);
    const personTarget = await deps.targets.personOpener();

    const contactRows: ContactRow[] = [];
    if (spec.entities !== 'persons')
      for (const filter of selectionFilters(spec, 'contact'))
        contactRows.push(
          ...(await queryContactRows(deps.client, { filter, udfKeys: companyKeys, onPage })),
        );
    const personRows: PersonRow[] = [];
    if (spec.entities !== 'contacts' && personTarget) {
      for (const filter of selectionFilters(spec, 'person'))
        personRows.push(
          ...(await queryPersonRows(deps.client, {
            filter,
            udfKeys: [personTarget.key],
            onPage,
          })),
        );
    }
    const companies = await companiesInScope(spec, contactRows, () => void feedCalls++);
    const contacts = (await assessContacts(deps, tenant, contactRows)).filter(
      ({ row }) => !spec.targetEmpty || someTargetEmpty(row.entity?.UserDefinedFields, companyKeys),
    );
    const persons = (await assessPersons(deps, tenant, personRows, contactRows)).filter(
      ({ row }) =>
        (!companies || (row.contactId !== null && companies.has(row.contactId))) &&
        (!spec.targetEmpty ||
          someTargetEmpty(row.entity?.UserDefinedFields, personTarget ? [personTarget.key] : [])),
    );
    const candidates: Candidate[] = [
      ...contacts.map(({ row, verdict }) => ({
        entity: 'contact' as const,
        id: row.contactId,
        accountId: undefined,
        verdict,
      })),
      ...persons.map(({ row, verdict }) => ({
        entity: 'person' as const,
        id: row.personId,
        accountId: row.contactId ?? undefined,
        verdict,
      })),
    ].sort((a, b) => (a.entity === b.entity ? a.id - b.id : a.entity === 'contact' ? -1 : 1));

    const toEnrich = candidates.filter((c) => c.verdict.read);
    const summary: BackfillResult = {
      runId: spec.runId,
      status: 'dry-run',
      matched: candidates.length,
      current: candidates.length - toEnrich.length,
      toEnrich: toEnrich.length,
      providerCalls: toEnrich.filter((c) => mayCallProvider(c.verdict)).length,
      superOfficeCalls: feedCalls + toEnrich.reduce((sum, c) => sum + callsPerRecord(c.entity), 0),
      enqueued: resuming ? previous.enqueued : 0,
    };
    if (spec.dryRun) return summary;
    return run(job, spec, tenant, candidates, summary, cursor, resuming ? previous : undefined);
  };

  /** Company ids the company columns select, for a selection of persons (undefined: no scope). */
  async function companiesInScope(
    spec: BackfillSpec,
    contactRows: readonly ContactRow[],
    counted: () => void,
  ): Promise<Set<number> | undefined> {
    if (spec.entities === 'contacts' || !hasCompanyScope(spec)) return undefined;
    if (spec.entities === 'both' && !spec.ids?.length && !spec.updatedSince)
      return new Set(contactRows.map((c) => c.contactId));
    const rows = await queryContactRows(deps.client, {
      filter: allOf([updatedAfter('1900-01-01T00:00:00'), ...companyScope(spec)]),
      onPage: counted,
    });
    return new Set(rows.map((c) => c.contactId));
  }

  async function run(
    job: Job<MaintenanceJobData>,
    spec: BackfillSpec,
    tenant: string,
    candidates: readonly Candidate[],
    summary: BackfillResult,
    cursor: { contact: number; person: number },
    previous: BackfillProgress | undefined,
  ): Promise<BackfillResult> {
    const startedAt = previous?.startedAt ?? new Date(now()).toISOString();
    let enqueued = summary.enqueued;
    let providerCalls = 0;
    let done = 0;
    const position = { ...cursor };
    const save = async (status: BackfillProgress['status']) => {
      const at = new Date(now()).toISOString();
      await deps.progress.write(tenant, {
        ...summary,
        status,
        enqueued,
        cursor: position,
        done,
        startedAt,
        updatedAt: at,
        ...(status === 'running' ? {} : { finishedAt: at }),
        selection: selectionOf(spec),
      });
      await job.updateProgress({ done, matched: summary.matched, enqueued, status });
    };
    await deps.progress.clearStop(tenant, spec.runId);
    // A run that begins anew counts its enrichments' outcomes (dashboard) from zero.
    if (!previous) await deps.progress.resetOutcomes(tenant, spec.runId);
    if (previous)
      deps.logger.info('backfill resumed', {
        tenant,
        runId: spec.runId,
        after: previous.status,
        cursor,
        enqueued,
      });
    await save('running');
    const pacedFrom = now();
    let paced = 0;
    for (const candidate of candidates) {
      const already = candidate.id <= cursor[candidate.entity];
      done++;
      if (already || !candidate.verdict.read) continue;
      if (await deps.progress.stopRequested(tenant, spec.runId)) {
        done--;
        await save('stopped');
        return { ...summary, status: 'stopped', enqueued };
      }
      const mayCall = mayCallProvider(candidate.verdict);
      if (
        spec.maxProviderCalls !== undefined &&
        mayCall &&
        providerCalls >= spec.maxProviderCalls
      ) {
        done--;
        await save('capped');
        return { ...summary, status: 'capped', enqueued };
      }
      await sleep(paceDelay(pacedFrom, paced, spec.ratePerMinute, now()));
      await scheduleEnrichment(
        deps.enrichQueue,
        {
          tenant,
          entity: candidate.entity,
          recordId: candidate.id,
          cause: `backfill:${spec.runId}`,
          accountId: candidate.accountId,
          priority: BACKFILL_PRIORITY,
        },
        deps.timing,
      );
      paced++;
      enqueued++;
      if (mayCall) providerCalls++;
      position[candidate.entity] = candidate.id;
      await save('running');
    }
    done = candidates.length;
    await save('completed');
    deps.logger.info('backfill done', {
      tenant,
      runId: spec.runId,
      matched: summary.matched,
      enqueued,
    });
    return { ...summary, status: 'completed', enqueued };
  }
}
