import { RateLimitError, UnrecoverableError, type Job } from 'bullmq';
import {
  companyFingerprint,
  companyInput,
  diffUdfs,
  mapCompanyResult,
  mapPersonOpener,
  personFingerprint,
  personInput,
  targetedFingerprint,
  ProviderError,
  type EnrichmentProvider,
  type CompanyInput,
  type FieldChange,
  type Mapping,
} from '@so-connector/enrichment';
import { ownerInScope, type OwnerScope } from '@so-connector/filters';
import type { Logger } from '@so-connector/logger';
import { enrichJobSchema, type EnrichJobData } from '@so-connector/queue';
import {
  SuperOfficeError,
  type ContactEntity,
  type PersonEntity,
  type SuperOfficeClient,
} from '@so-connector/superoffice-client';
import type { RunFact, SyncRunStore } from '@so-connector/sync-runs';
import type { FingerprintStore } from '../fingerprint-store';
import type { EnrichOutcome } from '../outcomes';
import type { UdfTargets } from '../udf-targets';

export interface EnrichProcessorDeps {
  readonly client: SuperOfficeClient;
  readonly provider: EnrichmentProvider;
  readonly targets: UdfTargets;
  readonly fingerprints: FingerprintStore;
  readonly runs: SyncRunStore;
  readonly ownerScope: OwnerScope | undefined;
  readonly logger: Logger;
  /** Pauses the whole queue when SuperOffice or the provider says Retry-After. */
  readonly rateLimit: (ms: number) => Promise<void>;
}

interface JobCounters {
  superoffice: number;
  provider: number;
  patches: number;
}

/**
 * `so-enrich`: read the record fresh (a person's company too), skip the provider when the inputs'
 * fingerprint is unchanged, map, diff against what the record holds, and PATCH only the fields that
 * differ — with a `test` on UpdatedDate, so a human edit in between is a conflict: read again and
 * diff again. Idempotent: a re-run after a crash finds nothing left to write.
 */
export function createEnrichProcessor(deps: EnrichProcessorDeps) {
  return async (job: Job<EnrichJobData>): Promise<EnrichOutcome> => {
    const parsed = enrichJobSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(
        `invalid so-enrich job data: ${parsed.error.issues[0]?.message}`,
      );
    const data = parsed.data;
    const counters: JobCounters = { superoffice: 0, provider: 0, patches: 0 };
    const so = <T>(call: () => Promise<T>): Promise<T> => {
      counters.superoffice++;
      return call();
    };
    let accountId = data.accountId ?? (data.entity === 'contact' ? data.recordId : 0);
    let accountName: string | undefined;
    let ownerName: string | undefined;
    const fact = (status: RunFact['status'], extra: Partial<RunFact> = {}): RunFact => ({
      id: `enrich:${job.id ?? data.recordId}`,
      kind: 'enrichment',
      tenant: data.tenant,
      accountId,
      at: new Date().toISOString(),
      status,
      record: { entity: data.entity, id: data.recordId },
      ...(accountName ? { accountName } : {}),
      ...(ownerName ? { ownerName } : {}),
      job: { queue: job.queueName, id: job.id ?? '' },
      ...extra,
    });

    try {
      // A person's account is known only once the person is read (enrichPerson records it then).
      if (data.entity === 'contact') await deps.runs.record(fact('RUNNING'));
      const result = data.entity === 'contact' ? await enrichContact() : await enrichPerson();
      await deps.runs.record(
        fact(result.outcome === 'skipped' ? 'SKIPPED' : 'COMPLETED', {
          calls: counters,
          ...(result.outcome === 'skipped' ? { reason: result.reason, detail: result.detail } : {}),
          ...(result.outcome === 'written' ? { fieldsWritten: result.changes } : {}),
          ...(result.providerLatencyMs !== undefined
            ? { providerLatencyMs: result.providerLatencyMs }
            : {}),
          ...(result.notes.length ? { detail: result.notes.join('; ') } : {}),
        }),
      );
      if (result.outcome === 'written')
        return {
          outcome: 'written',
          fields: result.changes.map((c) => c.key),
          providerCalled: result.providerCalled,
        };
      if (result.outcome === 'unchanged')
        return { outcome: 'unchanged', providerCalled: result.providerCalled };
      return { outcome: 'skipped', reason: result.reason, detail: result.detail };
    } catch (error) {
      const failure = await classify(error);
      await deps.runs.record(
        fact('FAILED', {
          calls: counters,
          error: failure.message,
          reason: failure instanceof UnrecoverableError ? 'permanent' : 'will-retry',
        }),
      );
      throw failure;
    }

    type Result =
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

    // A declaration, not a const: the try block above runs before this line is reached.
    function skipped(reason: string, detail: string, notes: string[] = []): Result {
      return { outcome: 'skipped', reason, detail, notes };
    }

    async function readContact(id: number): Promise<ContactEntity | undefined> {
      try {
        return await so(() => deps.client.getContact(id));
      } catch (error) {
        if (error instanceof SuperOfficeError && error.kind === 'not-found') return undefined;
        throw error;
      }
    }

    async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
      const started = Date.now();
      counters.provider++;
      const value = await call();
      return { value, ms: Date.now() - started };
    }

    function scopeSkip(
      owner:
        | { AssociateId?: number | null | undefined; Name?: string | null | undefined }
        | null
        | undefined,
    ): Result | undefined {
      if (!deps.ownerScope) return undefined;
      const verdict = ownerInScope(deps.ownerScope, {
        id: owner?.AssociateId ?? undefined,
        name: owner?.Name ?? undefined,
      });
      return verdict === 'in'
        ? undefined
        : {
            outcome: 'skipped',
            reason: 'out-of-scope',
            detail: `owner ${owner?.Name ?? owner?.AssociateId ?? 'unknown'}`,
            notes: [],
          };
    }

    /** How one kind of record is read, fingerprinted, enriched and written. */
    interface WriteBack<R> {
      /** Reads the record fresh; undefined when it was deleted. */
      read(): Promise<R | undefined>;
      udfs(record: R): Readonly<Record<string, unknown>> | null | undefined;
      updatedDate(record: R): string | null | undefined;
      /** Fingerprint of what the provider reads from this record. */
      inputsPrint(record: R): string;
      /** Provider call and mapping; only made when the inputs changed. */
      produce(record: R): Promise<Mapping>;
      patch(
        values: Record<string, string>,
        expectUpdatedDate: string | null | undefined,
      ): Promise<unknown>;
    }

    /**
     * The part contacts and persons share: reuse the stored values when the fingerprint (inputs,
     * targets, provider) is unchanged, else ask the provider; diff against the record; PATCH only
     * what differs with a `test` on UpdatedDate; on a conflict read again and diff again, once.
     */
    async function writeBack<R>(
      first: R,
      how: WriteBack<R>,
      targets: unknown,
      notes: string[],
    ): Promise<Result> {
      const printOf = (record: R) =>
        targetedFingerprint(how.inputsPrint(record), deps.provider.name, targets);
      const print = printOf(first);
      const last = await deps.fingerprints.get(data.tenant, data.entity, data.recordId);
      let desired: Record<string, string>;
      let providerCalled = false;
      let providerLatencyMs: number | undefined;
      if (last?.fingerprint === print) {
        desired = last.values; // nothing the provider reads changed: no provider call
      } else {
        const { value: mapping, ms } = await timed(() => how.produce(first));
        providerCalled = true;
        providerLatencyMs = ms;
        notes.push(...mapping.notes);
        desired = { ...mapping.values };
      }
      const remember = () =>
        deps.fingerprints.set(data.tenant, data.entity, data.recordId, {
          fingerprint: print,
          values: desired,
          at: new Date().toISOString(),
        });
      let record = first;
      for (let attempt = 0; ; attempt++) {
        const changes = diffUdfs(desired, how.udfs(record));
        if (changes.length === 0) {
          await remember();
          return { outcome: 'unchanged', providerCalled, providerLatencyMs, notes };
        }
        try {
          counters.patches++;
          await so(() =>
            how.patch(
              Object.fromEntries(changes.map((c) => [c.key, c.new])),
              how.updatedDate(record),
            ),
          );
          await remember();
          return { outcome: 'written', changes, providerCalled, providerLatencyMs, notes };
        } catch (error) {
          // A human saved the record between our read and our write: read again, diff again, once.
          if (!(error instanceof SuperOfficeError && error.conflict) || attempt > 0) throw error;
          const fresh = await how.read();
          if (!fresh)
            return skipped(
              'record-deleted',
              `${data.entity} ${data.recordId} was deleted meanwhile`,
              notes,
            );
          if (printOf(fresh) !== print)
            throw new Error('the record changed what the enrichment reads while it ran; retrying');
          record = fresh;
        }
      }
    }

    async function enrichContact(): Promise<Result> {
      const contact = await readContact(data.recordId);
      if (!contact) return skipped('record-deleted', `contact ${data.recordId} no longer exists`);
      accountName = contact.Name ?? undefined;
      ownerName = contact.Associate?.FullName ?? contact.Associate?.Name ?? undefined;
      const outOfScope = scopeSkip(contact.Associate);
      if (outOfScope) return outOfScope;

      const targets = await deps.targets.company();
      const notes = targets.missing.map(
        (key) => `${key} is not in the published Contact layout; not written`,
      );
      return writeBack(
        contact,
        {
          read: () => readContact(data.recordId),
          udfs: (c) => c.UserDefinedFields,
          updatedDate: (c) => c.UpdatedDate,
          inputsPrint: (c) => companyFingerprint(companyInput(c)),
          produce: async (c) =>
            mapCompanyResult(
              await deps.provider.enrichCompany(companyInput(c), {
                verticals: targets.verticalNames,
              }),
              targets,
            ),
          patch: (values, expectUpdatedDate) =>
            deps.client.patchContactUdfs(data.recordId, values, { expectUpdatedDate }),
        },
        targets,
        notes,
      );
    }

    async function readPerson(): Promise<PersonEntity | undefined> {
      try {
        return await so(() => deps.client.getPerson(data.recordId));
      } catch (error) {
        if (error instanceof SuperOfficeError && error.kind === 'not-found') return undefined;
        throw error;
      }
    }

    async function enrichPerson(): Promise<Result> {
      const person = await readPerson();
      if (!person) return skipped('record-deleted', `person ${data.recordId} no longer exists`);
      const companyId = person.Contact?.ContactId ?? undefined;
      accountId = companyId ?? accountId;
      const company = companyId ? await readContact(companyId) : undefined;
      accountName = company?.Name ?? person.Contact?.Name ?? undefined;
      ownerName = company?.Associate?.FullName ?? company?.Associate?.Name ?? undefined;
      await deps.runs.record(fact('RUNNING'));
      const outOfScope = scopeSkip(company?.Associate ?? person.Associate);
      if (outOfScope) return outOfScope;
      const target = await deps.targets.personOpener();
      if (!target)
        return skipped(
          'no-target',
          'SO_UDF_PERSON_OPENER is not set or not in the published Person layout',
        );
      const companyFacts: CompanyInput = company
        ? companyInput(company)
        : {
            name: person.Contact?.Name ?? '',
            website: undefined,
            domains: [],
            orgNr: undefined,
            country: undefined,
            description: undefined,
          };
      const companyPrint = companyFingerprint(companyFacts);
      return writeBack(
        person,
        {
          read: readPerson,
          udfs: (p) => p.UserDefinedFields,
          updatedDate: (p) => p.UpdatedDate,
          inputsPrint: (p) => personFingerprint(personInput(p), companyPrint),
          produce: async (p) =>
            mapPersonOpener(await deps.provider.personOpener(personInput(p), companyFacts), target),
          patch: (values, expectUpdatedDate) =>
            deps.client.patchPersonUdfs(data.recordId, values, { expectUpdatedDate }),
        },
        target,
        [],
      );
    }

    /** Maps a failure to BullMQ's vocabulary: a plain Error retries, UnrecoverableError does not. */
    async function classify(error: unknown): Promise<Error> {
      if (error instanceof SuperOfficeError || error instanceof ProviderError) {
        if (error.retryable) {
          if (error.retryAfterMs) {
            // Pause the whole queue for Retry-After; the job goes back without using an attempt.
            await deps.rateLimit(error.retryAfterMs);
            return new RateLimitError();
          }
          return new Error(error.message);
        }
        if (error instanceof SuperOfficeError && error.conflict)
          return new Error(`${error.message}; the record changed again, retrying`);
        // A refused token may be a passing problem at SuperOffice's login service: retry with the
        // backoff rather than lose the enrichment; a lasting one shows as failed jobs and alerts.
        if (error instanceof SuperOfficeError && error.kind === 'auth')
          return new Error(error.message);
        return new UnrecoverableError(error.message);
      }
      return error instanceof Error ? error : new Error(String(error));
    }
  };
}
