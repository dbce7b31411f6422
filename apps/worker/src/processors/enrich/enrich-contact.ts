import { companyFingerprint, companyInput, mapCompanyResult } from '@so-connector/enrichment';
import {
  readContact,
  scopeSkip,
  skipped,
  type EnrichJob,
  type EnrichResult,
} from './enrich-context';
import { writeBack } from './write-back';

/** `enrich-contact`: vertical, summary and opener of a company. */
export async function enrichContact(job: EnrichJob): Promise<EnrichResult> {
  const { deps, data } = job;
  const contact = await readContact(job, data.recordId);
  if (!contact) return skipped('record-deleted', `contact ${data.recordId} no longer exists`);
  job.account.name = contact.Name ?? undefined;
  job.account.owner = contact.Associate?.FullName ?? contact.Associate?.Name ?? undefined;
  const outOfScope = scopeSkip(job, contact.Associate);
  if (outOfScope) return outOfScope;

  const targets = await deps.targets.company();
  const notes = targets.missing.map(
    (key) => `${key} is not in the published Contact layout; not written`,
  );
  if (targets.verticalUnreadable)
    notes.push(
      `vertical not written: its list ${targets.verticalUnreadable.list} is not readable (${targets.verticalUnreadable.status}); asked again later`,
    );
  return writeBack(
    job,
    contact,
    {
      read: () => readContact(job, data.recordId),
      udfs: (c) => c.UserDefinedFields,
      updatedDate: (c) => c.UpdatedDate,
      inputsPrint: (c) => companyFingerprint(companyInput(c)),
      produce: async (c) =>
        mapCompanyResult(
          await deps.provider.enrichCompany(companyInput(c), { verticals: targets.verticalNames }),
          targets,
        ),
      patch: (values, expectUpdatedDate) =>
        deps.client.patchContactUdfs(data.recordId, values, { expectUpdatedDate }),
    },
    targets,
    notes,
  );
}
