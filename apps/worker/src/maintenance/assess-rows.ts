import {
  companyFingerprint,
  companyInput,
  personFingerprint,
  personCompanyInput,
  personInput,
  targetedFingerprint,
  type CompanyInput,
  type TargetUdf,
} from '@so-connector/enrichment';
import {
  oneOf,
  queryContactRows,
  type ContactEntity,
  type ContactRow,
  type PersonRow,
  type SuperOfficeClient,
} from '@so-connector/superoffice-client';
import type { FingerprintStore, LastEnrichment } from '../fingerprint-store';
import type { UdfTargets } from '../udf-targets';
import { decideRow, seenCovers, type RowVerdict } from './row-decision';
import type { SeenChanges } from './seen-changes';

export interface AssessDeps {
  readonly client: SuperOfficeClient;
  readonly targets: UdfTargets;
  /** The provider's name: part of the stored fingerprint (a new provider re-enriches). */
  readonly providerName: string;
  readonly fingerprints: FingerprintStore;
  /** Consulted by the sweep (a handled event covers the change); the backfill leaves it out. */
  readonly seen?: SeenChanges | undefined;
}

export interface Assessed<R> {
  readonly row: R;
  readonly verdict: RowVerdict;
}

type CompanyTargetSet = Awaited<ReturnType<UdfTargets['company']>>;

/** The UDF keys the company enrichment writes (the columns a feed should return). */
export function companyUdfKeys(targets: CompanyTargetSet): string[] {
  return [targets.vertical, targets.summary, targets.opener].flatMap((t) => (t ? [t.key] : []));
}

/**
 * The fingerprint the enrich processor stores, computed from a query row instead of a read: the
 * same companyInput / personInput, the same targets object, the same provider name.
 */
export function contactRowPrint(
  entity: ContactEntity,
  providerName: string,
  targets: CompanyTargetSet,
): string {
  return targetedFingerprint(companyFingerprint(companyInput(entity)), providerName, targets);
}

export function personRowPrint(
  person: NonNullable<PersonRow['entity']>,
  company: ContactEntity | undefined,
  providerName: string,
  target: TargetUdf,
): string {
  const facts: CompanyInput = personCompanyInput(person, company);
  return targetedFingerprint(
    personFingerprint(personInput(person), companyFingerprint(facts)),
    providerName,
    target,
  );
}

async function storedFor(
  deps: AssessDeps,
  tenant: string,
  entity: 'contact' | 'person',
  ids: readonly number[],
): Promise<Map<number, LastEnrichment>> {
  const out = new Map<number, LastEnrichment>();
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const values = await Promise.all(chunk.map((id) => deps.fingerprints.get(tenant, entity, id)));
    chunk.forEach((id, j) => {
      const value = values[j];
      if (value) out.set(id, value);
    });
  }
  return out;
}

/** Decides every contact row (markers and stored enrichments read in batches from Redis). */
export async function assessContacts(
  deps: AssessDeps,
  tenant: string,
  rows: readonly ContactRow[],
): Promise<Assessed<ContactRow>[]> {
  const targets = await deps.targets.company();
  const ids = rows.map((r) => r.contactId);
  const seen = deps.seen ? await deps.seen.many(tenant, 'contact', ids) : new Map<number, string>();
  const stored = await storedFor(deps, tenant, 'contact', ids);
  return rows.map((row) => {
    const last = stored.get(row.contactId);
    return {
      row,
      verdict: decideRow({
        updatedDate: row.updatedDate,
        seenChange: seen.get(row.contactId),
        print: row.entity ? contactRowPrint(row.entity, deps.providerName, targets) : undefined,
        stored: last,
        udfs: row.entity?.UserDefinedFields,
      }),
    };
  });
}

/**
 * Decides every person row. A person's fingerprint includes its company's, so the companies of the
 * persons that get that far are fetched with one more feed query per 100 (rows of `known` are used
 * as they are) — still no read per record.
 */
export async function assessPersons(
  deps: AssessDeps,
  tenant: string,
  rows: readonly PersonRow[],
  known: readonly ContactRow[] = [],
): Promise<Assessed<PersonRow>[]> {
  const target = await deps.targets.personOpener();
  // Without a person target the enrichment skips every person: nothing to read.
  if (!target) return [];
  const ids = rows.map((r) => r.personId);
  const seen = deps.seen ? await deps.seen.many(tenant, 'person', ids) : new Map<number, string>();
  const stored = await storedFor(deps, tenant, 'person', ids);
  const companies = new Map<number, ContactEntity | undefined>(
    known.map((c) => [c.contactId, c.entity]),
  );
  const wanted = [
    ...new Set(
      rows.flatMap((r) =>
        seenCovers({ updatedDate: r.updatedDate, seenChange: seen.get(r.personId) }) ||
        !stored.has(r.personId) ||
        !r.contactId ||
        companies.has(r.contactId)
          ? []
          : [r.contactId],
      ),
    ),
  ];
  for (let i = 0; i < wanted.length; i += 100) {
    const found = await queryContactRows(deps.client, {
      filter: oneOf('contactId', wanted.slice(i, i + 100)),
    });
    for (const c of found) companies.set(c.contactId, c.entity);
  }
  return rows.map((row) => {
    const company = row.contactId ? companies.get(row.contactId) : undefined;
    const companyUnknown = row.contactId !== null && company === undefined;
    return {
      row,
      verdict: decideRow({
        updatedDate: row.updatedDate,
        seenChange: seen.get(row.personId),
        print:
          row.entity && !companyUnknown
            ? personRowPrint(row.entity, company, deps.providerName, target)
            : undefined,
        stored: stored.get(row.personId),
        udfs: row.entity?.UserDefinedFields,
      }),
    };
  });
}
