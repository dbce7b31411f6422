import {
  companyFingerprint,
  mapPersonOpener,
  personFingerprint,
  personCompanyInput,
  personInput,
  type CompanyInput,
} from '@so-connector/enrichment';
import {
  readContact,
  readOrGone,
  scopeSkip,
  skipped,
  type EnrichJob,
  type EnrichResult,
} from './enrich-context';
import { writeBack } from './write-back';

/** `enrich-person`: the person's opener, written with what the company says about them. */
export async function enrichPerson(job: EnrichJob): Promise<EnrichResult> {
  const { deps, data } = job;
  const readPerson = () => readOrGone(job, () => deps.client.getPerson(data.recordId));
  const person = await readPerson();
  if (!person) return skipped('record-deleted', `person ${data.recordId} no longer exists`);
  const companyId = person.Contact?.ContactId ?? undefined;
  job.account.id = companyId ?? job.account.id;
  const company = companyId ? await readContact(job, companyId) : undefined;
  job.account.name = company?.Name ?? person.Contact?.Name ?? undefined;
  job.account.owner = company?.Associate?.FullName ?? company?.Associate?.Name ?? undefined;
  await job.running();
  const outOfScope = scopeSkip(job, company?.Associate ?? person.Associate);
  if (outOfScope) return outOfScope;
  const target = await deps.targets.personOpener();
  if (!target)
    return skipped(
      'no-target',
      'SO_UDF_PERSON_OPENER is not set or not in the published Person layout',
    );
  const companyFacts: CompanyInput = personCompanyInput(person, company);
  const companyPrint = companyFingerprint(companyFacts);
  return writeBack(
    job,
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
