import { diffUdfs, targetedFingerprint, type Mapping } from '@so-connector/enrichment';
import { SuperOfficeError } from '@so-connector/superoffice-client';
import { skipped, so, type EnrichJob, type EnrichResult } from './enrich-context';

/** How one kind of record is read, fingerprinted, enriched and written. */
export interface WriteBack<R> {
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

async function timed<T>(job: EnrichJob, call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  job.counters.provider++;
  const value = await call();
  return { value, ms: Date.now() - started };
}

/**
 * The part contacts and persons share: reuse the stored values when the fingerprint (inputs,
 * targets, provider) is unchanged, else ask the provider; diff against the record; PATCH only
 * what differs with a `test` on UpdatedDate; on a conflict read again and diff again, once.
 */
export async function writeBack<R>(
  job: EnrichJob,
  first: R,
  how: WriteBack<R>,
  targets: unknown,
  notes: string[],
): Promise<EnrichResult> {
  const { deps, data } = job;
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
    // An answer for these inputs may already be in: a failed write, a crash, another record.
    const kept = await deps.providerResults.get(data.tenant, data.entity, print);
    let mapping: Mapping;
    if (kept) {
      mapping = kept;
    } else {
      const { value, ms } = await timed(job, () => how.produce(first));
      mapping = value;
      providerCalled = true;
      providerLatencyMs = ms;
      // Kept before the write, so a failure from here on does not cost a second provider call.
      await deps.providerResults
        .set(data.tenant, data.entity, print, { ...mapping, at: new Date().toISOString() })
        .catch((error: unknown) =>
          deps.logger.warn('provider answer not kept', {
            tenant: data.tenant,
            entity: data.entity,
            recordId: data.recordId,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
    }
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
      job.counters.patches++;
      await so(job, () =>
        how.patch(Object.fromEntries(changes.map((c) => [c.key, c.new])), how.updatedDate(record)),
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
