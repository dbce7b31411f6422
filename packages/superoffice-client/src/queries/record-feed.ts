import { z } from 'zod';
import type { SuperOfficeClient } from '../client';
import type { ContactEntity } from '../entities/contact';
import type { PersonEntity } from '../entities/person';

/**
 * Archive columns (FindContact / SimplePerson providers, SuperOffice's archive-provider reference)
 * that hold what the enrichment reads of a record, so a sweep or a backfill can decide from the
 * query alone whether a record needs a read. `description` and `domains` are not in that reference
 * (inferred, to confirm on a SOD tenant — superoffice-api.md 10); a feed that leaves a column out
 * of its rows makes the row `entity` undefined, and the caller then reads the record as before.
 */
export const CONTACT_INPUT_COLUMNS = [
  'name',
  'orgnr',
  'country',
  'url/URLAddress',
  'domains',
  'description',
] as const;
export const PERSON_INPUT_COLUMNS = ['firstName', 'lastName', 'title', 'position'] as const;

/** The archive column of a UDF (superoffice-api.md 6.7). */
export const udfColumn = (owner: 'contact' | 'person', key: string) => `${owner}Udef/${key}`;

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]).optional();
const pageSchema = z.object({ value: z.array(z.record(z.string(), cell)) });
type Row = Record<string, string | number | boolean | null | undefined>;

const text = (row: Row, key: string): string => {
  const v = row[key];
  return v === null || v === undefined ? '' : String(v);
};
const int = (row: Row, key: string): number | null => {
  const v = Number(row[key]);
  return Number.isInteger(v) && v > 0 ? v : null;
};
const hasAll = (row: Row, keys: readonly string[]) => keys.every((k) => k in row);
const udfsOf = (row: Row, owner: 'contact' | 'person', keys: readonly string[]) =>
  Object.fromEntries(keys.map((k) => [k, text(row, udfColumn(owner, k))]));

export interface FeedOptions {
  /** The `$filter` (see odata-filter.ts); SuperOffice asks that every query have one. */
  readonly filter: string;
  /** UDF keys whose current values the rows should carry (e.g. the enrichment's targets). */
  readonly udfKeys?: readonly string[];
  readonly pageSize?: number;
  /** Called after each page, e.g. for progress. */
  readonly onPage?: (rowsSoFar: number) => void;
}

export interface ContactRow {
  readonly contactId: number;
  readonly updatedDate: string | null;
  /** The owner ("Our contact"). */
  readonly associateId: number | null;
  /**
   * What the row holds, shaped as the entity (Name, OrgNr, Country, Urls, Domains, Description,
   * the asked UDFs) so the enrichment's own companyInput() reads it; undefined when the feed left
   * an input column out.
   */
  readonly entity: ContactEntity | undefined;
}

export interface PersonRow {
  readonly personId: number;
  /** The person's company; null when none. */
  readonly contactId: number | null;
  readonly updatedDate: string | null;
  /** Firstname, Lastname, Title, Position and the asked UDFs as the entity; see ContactRow. */
  readonly entity: PersonEntity | undefined;
}

/** Every page of an OData feed, ordered by the primary key (SuperOffice's performance rules). */
async function feed(
  client: SuperOfficeClient,
  entity: 'Contact' | 'Person',
  key: string,
  columns: readonly string[],
  options: FeedOptions,
): Promise<Row[]> {
  const pageSize = options.pageSize ?? 500;
  const out: Row[] = [];
  for (let skip = 0; ; skip += pageSize) {
    const raw = await client.getRaw(`/v1/${entity}`, {
      $select: [key, ...columns].join(','),
      $filter: options.filter,
      $orderby: key,
      $top: String(pageSize),
      $skip: String(skip),
    });
    const page = pageSchema.safeParse(raw);
    if (!page.success)
      throw new Error(
        `[superoffice-client] GET /v1/${entity} answered rows of an unexpected shape: ${page.error.issues[0]?.message ?? ''}`,
      );
    out.push(...page.data.value);
    options.onPage?.(out.length);
    if (page.data.value.length < pageSize) return out;
  }
}

/** Companies matching `filter`, with what the enrichment reads of each. */
export async function queryContactRows(
  client: SuperOfficeClient,
  options: FeedOptions,
): Promise<ContactRow[]> {
  const udfKeys = options.udfKeys ?? [];
  const udfColumns = udfKeys.map((k) => udfColumn('contact', k));
  const rows = await feed(
    client,
    'Contact',
    'contactId',
    [...CONTACT_INPUT_COLUMNS, 'updatedDate', 'associateId', ...udfColumns],
    options,
  );
  return rows.flatMap((row) => {
    const contactId = int(row, 'contactId');
    if (contactId === null) return [];
    const url = text(row, 'url/URLAddress');
    const complete = hasAll(row, [...CONTACT_INPUT_COLUMNS, ...udfColumns]);
    const associateId = int(row, 'associateId');
    return [
      {
        contactId,
        updatedDate: text(row, 'updatedDate') || null,
        associateId,
        entity: complete
          ? {
              ContactId: contactId,
              Name: text(row, 'name'),
              OrgNr: text(row, 'orgnr'),
              Country: { Name: text(row, 'country') },
              Urls: url ? [{ Value: url }] : [],
              Domains: text(row, 'domains')
                .split(',')
                .map((d) => d.trim())
                .filter(Boolean),
              Description: text(row, 'description'),
              UpdatedDate: text(row, 'updatedDate') || null,
              Associate: associateId === null ? null : { AssociateId: associateId },
              UserDefinedFields: udfsOf(row, 'contact', udfKeys),
            }
          : undefined,
      },
    ];
  });
}

/** Persons matching `filter`, with what the opener reads of each (their company is not included). */
export async function queryPersonRows(
  client: SuperOfficeClient,
  options: FeedOptions,
): Promise<PersonRow[]> {
  const udfKeys = options.udfKeys ?? [];
  const udfColumns = udfKeys.map((k) => udfColumn('person', k));
  const rows = await feed(
    client,
    'Person',
    'personId',
    ['contactId', ...PERSON_INPUT_COLUMNS, 'updatedDate', ...udfColumns],
    options,
  );
  return rows.flatMap((row) => {
    const personId = int(row, 'personId');
    if (personId === null) return [];
    const contactId = int(row, 'contactId');
    const complete = hasAll(row, [...PERSON_INPUT_COLUMNS, ...udfColumns]);
    return [
      {
        personId,
        contactId,
        updatedDate: text(row, 'updatedDate') || null,
        entity: complete
          ? {
              PersonId: personId,
              Firstname: text(row, 'firstName'),
              Lastname: text(row, 'lastName'),
              Title: text(row, 'title'),
              Position: { Value: text(row, 'position') },
              Contact: contactId === null ? null : { ContactId: contactId },
              UpdatedDate: text(row, 'updatedDate') || null,
              UserDefinedFields: udfsOf(row, 'person', udfKeys),
            }
          : undefined,
      },
    ];
  });
}
