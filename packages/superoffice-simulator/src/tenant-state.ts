import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { ALWAYS_CHANGED, COLUMN_OF } from './inferred';
import type { TenantSeed } from './seed';
import {
  fieldValuesOf,
  stamp,
  type ChangeEvent,
  type DateForm,
  type Entity,
  type EntityKind,
  type UdfDefinitionSeed,
} from './tenant-types';

const ID_FIELD: Record<EntityKind, string> = { contact: 'ContactId', person: 'PersonId' };

/** Properties a PUT or PATCH may not change. */
const READ_ONLY = new Set([
  'contactid',
  'personid',
  'updateddate',
  'createddate',
  'updatedby',
  'createdby',
  '_links',
]);

/**
 * The simulated tenant's data. Every change made through the API or the admin helpers bumps
 * UpdatedDate/UpdatedBy and emits a `change` event carrying the database column names that
 * changed and the associate who changed it.
 */
export class TenantState extends EventEmitter<{ change: [ChangeEvent] }> {
  readonly contextIdentifier: string;
  readonly apiUser: TenantSeed['apiUser'];
  readonly humans: TenantSeed['humans'];
  readonly contactUdfs: readonly UdfDefinitionSeed[];
  readonly personUdfs: readonly UdfDefinitionSeed[];
  readonly lists = new Map<string, { id: number; name: string }[]>();
  /**
   * SuperOffice's clock, which stamps UpdatedDate/CreatedDate. A test sets it to stamp a human's
   * save in the same whole second as an earlier one (the timestamps have whole seconds).
   */
  clock: () => Date = () => new Date();
  /** Lists the API user may not read, and how `MDOList/{name}` answers for them (404 or 403). */
  private readonly unreadableLists = new Map<string, 403 | 404>();
  private readonly records: Record<EntityKind, Map<number, Entity>> = {
    contact: new Map(),
    person: new Map(),
  };
  private nextId: Record<EntityKind, number> = { contact: 1000, person: 1000 };

  constructor(
    seed: TenantSeed,
    private readonly dateForm: DateForm = 'zoneless',
  ) {
    super();
    this.contextIdentifier = seed.contextIdentifier;
    this.apiUser = seed.apiUser;
    this.humans = seed.humans;
    this.contactUdfs = seed.contactUdfs;
    this.personUdfs = seed.personUdfs;
    this.lists.set(seed.verticalList.name, seed.verticalList.items);
    const created = stamp(new Date(Date.UTC(2024, 0, 15, 9, 0, 0)), dateForm);
    for (const c of seed.contacts) {
      const owner = this.associate(c.ownerAssociateId);
      this.records.contact.set(c.id, {
        ContactId: c.id,
        Name: c.name,
        Department: c.department,
        OrgNr: c.orgNr,
        Description: c.description,
        UpdatedDate: created,
        CreatedDate: created,
        UpdatedBy: owner,
        Associate: owner,
        Business: c.business ? { Id: c.business.id, Value: c.business.name } : null,
        Category: c.category ? { Id: c.category.id, Value: c.category.name } : null,
        Country: c.country ? { CountryId: c.country.id, Name: c.country.name } : null,
        Urls: c.urls.map((u) => ({
          Value: u,
          StrippedValue: u.replace(/^https?:\/\//, ''),
          Description: '',
        })),
        Domains: c.urls.map((u) => new URL(u).hostname),
        UserDefinedFields: this.emptyUdfs(this.contactUdfs),
      });
    }
    for (const p of seed.persons) {
      const contact = this.records.contact.get(p.contactId);
      this.records.person.set(p.id, {
        PersonId: p.id,
        Firstname: p.firstname,
        MiddleName: '',
        Lastname: p.lastname,
        Title: p.title,
        Position: p.position ? { Id: p.position.id, Value: p.position.name } : null,
        Contact: contact ? { ContactId: contact.ContactId, Name: contact.Name } : null,
        UpdatedDate: created,
        CreatedDate: created,
        UserDefinedFields: this.emptyUdfs(this.personUdfs),
      });
    }
  }

  /** `date` as this tenant writes dates (its DateForm). */
  stamp(date: Date): string {
    return stamp(date, this.dateForm);
  }

  get(kind: EntityKind, id: number): Entity | undefined {
    const record = this.records[kind].get(id);
    return record ? structuredClone(record) : undefined;
  }

  ids(kind: EntityKind): number[] {
    return [...this.records[kind].keys()];
  }

  /**
   * Makes `MDOList/{listName}` unreadable (`false` or 404: not found, 403: access denied) or
   * readable again (`true`), as on the live tenant where `MDOList/udlist331` answered 404.
   * List names compare case-insensitively.
   */
  setListReadable(listName: string, readable: boolean | 403 | 404): void {
    const key = listName.toLowerCase();
    if (readable === true) this.unreadableLists.delete(key);
    else this.unreadableLists.set(key, readable === false ? 404 : readable);
  }

  /** The status `MDOList/{listName}` answers with when the list is made unreadable, else undefined. */
  listRefusal(listName: string): 403 | 404 | undefined {
    return this.unreadableLists.get(listName.toLowerCase());
  }

  udfDefinitions(kind: EntityKind): readonly UdfDefinitionSeed[] {
    return kind === 'contact' ? this.contactUdfs : this.personUdfs;
  }

  /**
   * Replaces a record with `next` (read-only fields kept), as associate `byAssociateId`. Emits the
   * `{kind}.changed` event with the columns that changed. Returns the saved record.
   */
  save(kind: EntityKind, id: number, next: Entity, byAssociateId: number): Entity {
    const current = this.records[kind].get(id);
    if (!current) throw new Error(`${kind} ${id} not found`);
    const saved: Entity = { ...current };
    const columns = new Set<string>();
    for (const [key, value] of Object.entries(next)) {
      const lower = key.toLowerCase();
      if (READ_ONLY.has(lower)) continue;
      const existingKey = Object.keys(current).find((k) => k.toLowerCase() === lower) ?? key;
      const normalised =
        lower === 'userdefinedfields'
          ? this.withDisplayText(kind, value as Record<string, unknown>)
          : value;
      if (JSON.stringify(current[existingKey]) !== JSON.stringify(normalised)) {
        saved[existingKey] = normalised;
        const column = COLUMN_OF[kind][lower];
        if (column) columns.add(column);
      }
    }
    const now = this.clock();
    saved.UpdatedDate = stamp(now, this.dateForm);
    saved.UpdatedBy = this.associate(byAssociateId);
    this.records[kind].set(id, saved);
    this.emitChange(
      kind,
      'changed',
      id,
      [...ALWAYS_CHANGED[kind], ...columns],
      byAssociateId,
      saved,
    );
    return structuredClone(saved);
  }

  /** Creates a record (admin helper and POST), emitting `{kind}.created`. */
  create(kind: EntityKind, fields: Entity, byAssociateId: number): Entity {
    const id = this.nextId[kind]++;
    const now = stamp(this.clock(), this.dateForm);
    const base: Entity =
      kind === 'contact'
        ? {
            ContactId: id,
            Name: '',
            Department: '',
            OrgNr: '',
            Description: '',
            Urls: [],
            Domains: [],
            Business: null,
            Category: null,
            Country: null,
            Associate: this.associate(byAssociateId),
          }
        : {
            PersonId: id,
            Firstname: '',
            MiddleName: '',
            Lastname: '',
            Title: '',
            Position: null,
            Contact: null,
          };
    const record: Entity = {
      ...base,
      ...Object.fromEntries(
        Object.entries(fields).filter(([k]) => !READ_ONLY.has(k.toLowerCase())),
      ),
      [ID_FIELD[kind]]: id,
      CreatedDate: now,
      UpdatedDate: now,
      UpdatedBy: this.associate(byAssociateId),
      UserDefinedFields: this.withDisplayText(kind, {
        ...this.emptyUdfs(this.udfDefinitions(kind)),
        ...((fields.UserDefinedFields as Record<string, unknown> | undefined) ?? {}),
      }),
    };
    this.records[kind].set(id, record);
    this.emitChange(kind, 'created', id, [], byAssociateId, record);
    return structuredClone(record);
  }

  /** Deletes a record, emitting `{kind}.deleted`. */
  remove(kind: EntityKind, id: number, byAssociateId: number): boolean {
    const record = this.records[kind].get(id);
    if (!record) return false;
    this.records[kind].delete(id);
    this.emitChange(kind, 'deleted', id, [], byAssociateId, record);
    return true;
  }

  private emptyUdfs(definitions: readonly UdfDefinitionSeed[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of definitions) {
      out[d.progId] = '';
      if (d.type === 'list') out[`${d.progId}:DisplayText`] = '';
    }
    return out;
  }

  /** Keeps `{key}:DisplayText` of list UDFs in step with the `[I:id]` value, as SuperOffice does. */
  private withDisplayText(
    kind: EntityKind,
    udfs: Record<string, unknown>,
  ): Record<string, unknown> {
    const out = { ...udfs };
    for (const d of this.udfDefinitions(kind)) {
      if (d.type !== 'list' || !d.list) continue;
      const raw = out[d.progId];
      const id = typeof raw === 'string' ? /^\[I:(\d+)\]$/.exec(raw)?.[1] : undefined;
      const item =
        id === undefined ? undefined : this.lists.get(d.list)?.find((i) => i.id === Number(id));
      out[`${d.progId}:DisplayText`] = item?.name ?? '';
    }
    return out;
  }

  private associate(associateId: number): Entity {
    if (associateId === this.apiUser.associateId)
      return {
        AssociateId: associateId,
        Name: this.apiUser.userName,
        FullName: this.apiUser.fullName,
      };
    const human = this.humans.find((h) => h.associateId === associateId);
    return {
      AssociateId: associateId,
      Name: human?.name ?? `A${associateId}`,
      FullName: human?.fullName ?? '',
    };
  }

  private emitChange(
    kind: EntityKind,
    action: string,
    id: number,
    changes: string[],
    by: number,
    record: Entity,
  ): void {
    const fieldValues = fieldValuesOf(kind, id, by, record);
    this.emit('change', {
      event: `${kind}.${action}`,
      entity: kind,
      primaryKey: id,
      changes: [...new Set(changes)],
      changedByAssociateId: by,
      fieldValues,
    });
  }
}

export function newEventId(): string {
  return randomUUID();
}
