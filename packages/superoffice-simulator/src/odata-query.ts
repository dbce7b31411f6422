import { instantOf, type Entity, type EntityKind } from './tenant-types';

/**
 * The OData feeds `GET /v1/Contact` and `GET /v1/Person` (superoffice-api.md 6.7): archive columns
 * chosen with `$select`, rows narrowed with `$filter`, ordered by the primary key, paged with
 * `$top`/`$skip`. Column names are the FindContact / SimplePerson archive providers' (SuperOffice's
 * archive-provider reference); `description` and `domains` are not in that reference (inferred,
 * superoffice-api.md 10) and answer what the entity's Description and Domains hold.
 */

type Column = (record: Entity) => unknown;

const ref = (record: Entity, key: string) =>
  (record[key] as Record<string, unknown> | null | undefined) ?? undefined;
const first = (record: Entity, key: string) =>
  ((record[key] as { Value?: string }[] | null | undefined) ?? []).find((u) => u.Value)?.Value ??
  '';

/** A UDF column shows what the archive shows: a list item's name, else the stored value. */
function udfColumn(record: Entity, key: string): unknown {
  const udfs = (record.UserDefinedFields as Record<string, unknown> | null | undefined) ?? {};
  const display = udfs[`${key}:DisplayText`];
  return typeof display === 'string' && display !== '' ? display : (udfs[key] ?? '');
}

const COLUMNS: Record<EntityKind, Record<string, Column>> = {
  contact: {
    contactid: (c) => c.ContactId,
    name: (c) => c.Name ?? '',
    orgnr: (c) => c.OrgNr ?? '',
    department: (c) => c.Department ?? '',
    country: (c) => ref(c, 'Country')?.Name ?? '',
    'url/urladdress': (c) => first(c, 'Urls'),
    domains: (c) => ((c.Domains as string[] | null | undefined) ?? []).join(','),
    description: (c) => c.Description ?? '',
    updateddate: (c) => c.UpdatedDate,
    associateid: (c) => ref(c, 'Associate')?.AssociateId ?? 0,
    category: (c) => ref(c, 'Category')?.Value ?? '',
    business: (c) => ref(c, 'Business')?.Value ?? '',
  },
  person: {
    personid: (p) => p.PersonId,
    contactid: (p) => ref(p, 'Contact')?.ContactId ?? 0,
    firstname: (p) => p.Firstname ?? '',
    lastname: (p) => p.Lastname ?? '',
    title: (p) => p.Title ?? '',
    position: (p) => ref(p, 'Position')?.Value ?? '',
    updateddate: (p) => p.UpdatedDate,
    associateid: (p) => ref(p, 'Associate')?.AssociateId ?? 0,
  },
};

/** Columns a `$filter` compares by id where the row shows a name (list columns). */
const FILTER_IDS: Record<EntityKind, Record<string, Column>> = {
  contact: {
    category: (c) => ref(c, 'Category')?.Id ?? 0,
    business: (c) => ref(c, 'Business')?.Id ?? 0,
    country: (c) => ref(c, 'Country')?.CountryId ?? 0,
  },
  person: { position: (p) => ref(p, 'Position')?.Id ?? 0 },
};

const UDF_PREFIX: Record<EntityKind, string> = {
  contact: 'contactudef/',
  person: 'personudef/',
};

const DEFAULT_SELECT: Record<EntityKind, string[]> = {
  contact: ['contactId', 'updatedDate', 'name'],
  person: ['personId', 'contactId', 'updatedDate'],
};

export class QueryError extends Error {}

function column(kind: EntityKind, name: string, forFilter = false): Column {
  const lower = name.toLowerCase();
  if (lower.startsWith(UDF_PREFIX[kind])) {
    const key = name.slice(UDF_PREFIX[kind].length);
    return (record) => udfColumn(record, key);
  }
  const found = (forFilter ? FILTER_IDS[kind][lower] : undefined) ?? COLUMNS[kind][lower];
  if (!found) throw new QueryError(`unknown column ${name}`);
  return found;
}

/**
 * `afterTime` compares instants at whole seconds, so a tenant writing offset dates
 * (`…+01:00`, SuperOffice's samples) is filtered as correctly as one writing zone-less UTC.
 */
const seconds = (value: string) => Math.floor(instantOf(value) / 1000);

const CLAUSE = /^\s*([\w/:.]+)\s+(afterTime|eq|ne|oneOf)\s*(.*?)\s*$/i;

/** One `column op value` clause of the filter grammar the connector uses. */
function clause(kind: EntityKind, text: string): (record: Entity) => boolean {
  const match = CLAUSE.exec(text);
  if (!match) throw new QueryError(`unsupported $filter clause: ${text}`);
  const [, name = '', op = '', raw = ''] = match;
  const read = column(kind, name, true);
  const literal = (v: string) =>
    /^'.*'$/.test(v) ? v.slice(1, -1) : Number.isNaN(Number(v)) ? v : Number(v);
  switch (op.toLowerCase()) {
    case 'aftertime': {
      const since = seconds(String(literal(raw)));
      return (r) => seconds(String(read(r))) > since;
    }
    case 'eq':
      return (r) => read(r) === literal(raw) || String(read(r)) === String(literal(raw));
    case 'ne':
      return (r) => String(read(r)) !== String(literal(raw));
    default: {
      const list = /^\((.*)\)$/.exec(raw)?.[1];
      if (list === undefined) throw new QueryError(`oneOf needs a list: ${text}`);
      const values = new Set(list.split(',').map((v) => String(literal(v.trim()))));
      return (r) => values.has(String(read(r)));
    }
  }
}

export interface FeedQuery {
  readonly $select?: unknown;
  readonly $filter?: unknown;
  readonly $top?: unknown;
  readonly $skip?: unknown;
}

/** The rows of one page of the feed; throws QueryError for a column or clause it does not know. */
export function queryFeed(
  kind: EntityKind,
  records: readonly Entity[],
  query: FeedQuery,
): Record<string, unknown>[] {
  const select =
    typeof query.$select === 'string' && query.$select.trim() !== ''
      ? query.$select.split(',').map((s) => s.trim())
      : DEFAULT_SELECT[kind];
  const columns = select.map((name) => [name, column(kind, name)] as const);
  const filter = typeof query.$filter === 'string' ? query.$filter.trim() : '';
  const tests = filter === '' ? [] : filter.split(/\s+and\s+/i).map((c) => clause(kind, c));
  const top = Number(query.$top ?? 500);
  const skip = Number(query.$skip ?? 0);
  const idKey = kind === 'contact' ? 'ContactId' : 'PersonId';
  return [...records]
    .sort((a, b) => Number(a[idKey]) - Number(b[idKey]))
    .filter((r) => tests.every((t) => t(r)))
    .slice(skip, skip + top)
    .map((r) => Object.fromEntries(columns.map(([name, read]) => [name, read(r)])));
}
