import type { Entity } from '@so-connector/superoffice-simulator';
import { startSystem, UDF, type RunningSystem } from '../system';

/** The inputs of one record a fault scenario changed, as it ends. */
export type FinalRecord =
  | { readonly kind: 'contact'; readonly id: number; readonly record: Entity }
  | {
      readonly kind: 'person';
      readonly id: number;
      readonly record: Entity;
      /** The person's company as it ends (its facts go into the opener). */
      readonly company: Entity | undefined;
    };

/** The UDFs the connector writes, per kind. */
export const WRITTEN_UDFS = {
  contact: [UDF.vertical, UDF.summary, UDF.opener],
  person: [UDF.personOpener],
} as const;

/** What the enrichment reads of a company (packages/enrichment companyInput). */
const CONTACT_INPUTS = ['Name', 'OrgNr', 'Description', 'Urls', 'Domains', 'Country'] as const;
/** What the enrichment reads of a person (personInput); Contact is set to the reference's copy. */
const PERSON_INPUTS = ['Firstname', 'Lastname', 'Title', 'Position'] as const;

const pick = (record: Entity, keys: readonly string[]): Entity =>
  Object.fromEntries(keys.map((k) => [k, record[k]]));

/** The written UDF values of a record. */
export function writtenUdfs(kind: 'contact' | 'person', record: Entity): Record<string, string> {
  const udfs = (record.UserDefinedFields ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    WRITTEN_UDFS[kind].map((k) => [k, typeof udfs[k] === 'string' ? udfs[k] : '']),
  );
}

/**
 * The oracle of the fault suite: a second, fault-free connector (its own simulator, Redis,
 * receiver and worker, same provider settings) that is given each record's final inputs as a new
 * record and enriches it. What it writes is what "the provider derives from the latest inputs",
 * without the fault suite re-implementing the provider or the UDF mapping.
 */
export class ReferenceTenant {
  private system: RunningSystem | undefined;
  private readonly cache = new Map<string, Record<string, string>>();

  constructor(private readonly workerEnv: Record<string, string> = {}) {}

  /** Expected UDF values per `{kind}:{id}` of the given final records. */
  async expected(records: readonly FinalRecord[]): Promise<Map<string, Record<string, string>>> {
    const keyOf = (r: FinalRecord) =>
      JSON.stringify([
        r.kind,
        pick(r.record, r.kind === 'contact' ? CONTACT_INPUTS : PERSON_INPUTS),
        r.kind === 'person' && r.company ? pick(r.company, CONTACT_INPUTS) : null,
      ]);
    const missing = records.filter((r) => !this.cache.has(keyOf(r)));
    if (missing.length > 0) {
      this.system ??= await startSystem({ workerEnv: this.workerEnv });
      const { sim } = this.system;
      const human = sim.state.humans[0]!.associateId;
      const created: { key: string; kind: 'contact' | 'person'; id: number }[] = [];
      for (const r of missing) {
        if (r.kind === 'contact') {
          const copy = sim.createAs(human, 'contact', pick(r.record, CONTACT_INPUTS));
          created.push({ key: keyOf(r), kind: 'contact', id: Number(copy.ContactId) });
        } else {
          const company = r.company
            ? sim.createAs(human, 'contact', pick(r.company, CONTACT_INPUTS))
            : undefined;
          const copy = sim.createAs(human, 'person', {
            ...pick(r.record, PERSON_INPUTS),
            Contact: company ? { ContactId: company.ContactId, Name: company.Name } : null,
          });
          created.push({ key: keyOf(r), kind: 'person', id: Number(copy.PersonId) });
        }
      }
      await this.system.settled();
      for (const c of created)
        this.cache.set(c.key, writtenUdfs(c.kind, sim.state.get(c.kind, c.id)!));
    }
    return new Map(records.map((r) => [`${r.kind}:${r.id}`, this.cache.get(keyOf(r))!]));
  }

  async stop(): Promise<void> {
    await this.system?.stop();
    this.system = undefined;
  }
}
