// A day of CRM traffic generated from a seed, for benchmark 4: the tenant it starts from, the human
// actions in time order (creates, relevant and irrelevant edits, bursts of edits to one record,
// reverts and cosmetic edits), and the ground truth the connector is measured against: the
// (record, debounce window) pairs and whether each one changed what the provider reads.
//
// Every relevant episode holds its account (the company and its persons) for longer than the
// debounce window plus processing time, and the edits of a burst are much closer together than the
// debounce window, so each episode is exactly one window and the ground truth is unambiguous.
import {
  companyFingerprint,
  personFingerprint,
  type CompanyInput,
  type PersonInput,
} from '@so-connector/enrichment';
import {
  loadSeed,
  seededRandom,
  type Entity,
  type TenantSeed,
} from '@so-connector/superoffice-simulator';

export type RecordKind = 'contact' | 'person';

export interface Step {
  /** ms after the start of the replay */
  readonly at: number;
  readonly op: 'create' | 'edit';
  readonly kind: RecordKind;
  /** The record's id (for a create: the id the simulator will give it). */
  readonly id: number;
  /** REST properties to set (create: the new record's fields). */
  readonly fields: Entity;
  readonly byAssociateId: number;
  /** A webhook event the connector's filter finds relevant (created, or a whitelisted column). */
  readonly relevant: boolean;
}

export interface Window {
  readonly kind: RecordKind;
  readonly id: number;
  readonly episode: EpisodeType;
  /** Relevant events in the window. */
  readonly events: number;
  /** The fingerprint at the end of the window differs from the last enriched one. */
  readonly changed: boolean;
  /** What the provider reads at the end of the window. */
  readonly inputs: WindowInputs;
}

export type WindowInputs =
  | { readonly kind: 'contact'; readonly company: CompanyInput }
  | { readonly kind: 'person'; readonly person: PersonInput; readonly company: CompanyInput };

export type EpisodeType =
  | 'create-contact'
  | 'create-person'
  | 'contact-edit'
  | 'contact-burst'
  | 'contact-revert'
  | 'contact-cosmetic'
  | 'person-edit'
  | 'contact-irrelevant'
  | 'person-irrelevant';

export interface TrafficDay {
  readonly seed: TenantSeed;
  readonly steps: readonly Step[];
  readonly windows: readonly Window[];
  readonly durationMs: number;
  readonly debounceMs: number;
  readonly episodes: Readonly<Record<EpisodeType, number>>;
}

interface ContactModel {
  id: number;
  name: string;
  orgNr: string;
  description: string;
  urls: string[];
  country: { id: number; name: string } | null;
  department: string;
  category: { id: number; name: string } | null;
}

interface PersonModel {
  id: number;
  contactId: number;
  firstname: string;
  lastname: string;
  title: string;
  position: { id: number; name: string } | null;
}

const STEMS = ['Nord', 'Fjell', 'Vik', 'Sol', 'Berg', 'Lys', 'Havn', 'Skog', 'Elv', 'Stein', 'Dal'];
const TRADES = [
  ['Robotics', 'Industrial robot cells and automation for factories.'],
  ['Software', 'Cloud software and SaaS platform for field service teams.'],
  ['Klinikk', 'Private clinic network offering diagnostics and outpatient care.'],
  ['Freight', 'Freight forwarding, warehousing and logistics across the Baltics.'],
  ['Energi', 'Hydro and solar power producer selling renewable energy.'],
  ['Retail', 'Chain of retail stores and an online shop for outdoor gear.'],
  ['Bank', 'Savings bank offering loans, payments and financial services.'],
  ['Akademi', 'Vocational school and education courses for adults.'],
] as const;
const COUNTRIES = [
  { id: 578, name: 'Norway' },
  { id: 752, name: 'Sweden' },
  { id: 208, name: 'Denmark' },
  { id: 428, name: 'Latvia' },
];
const FIRST = ['Ingrid', 'Ola', 'Elin', 'Kari', 'Lars', 'Nina', 'Jonas', 'Sofie', 'Erik', 'Maja'];
const LAST = ['Solberg', 'Nordmann', 'Berg', 'Haugen', 'Larsen', 'Dahl', 'Lie', 'Moen', 'Bakken'];
const TITLES = [
  'Head of Operations',
  'CTO',
  'Clinic Manager',
  'Purchasing Manager',
  'CEO',
  'Sales Director',
  'IT Manager',
  'CFO',
];
const POSITIONS = [null, { id: 2, name: 'C-level' }, { id: 3, name: 'Director' }] as const;
const CATEGORIES = [
  { id: 1, name: 'Prospect' },
  { id: 4, name: 'Customer' },
];
const DEPARTMENTS = ['', 'Head office', 'Sales', 'Purchasing', 'Branch Bergen', 'Finance'];

/** Relative frequency of each kind of episode in a day (irrelevant edits dominate, as in a CRM). */
const WEIGHTS: readonly [EpisodeType, number][] = [
  ['create-contact', 4],
  ['create-person', 5],
  ['contact-edit', 10],
  ['contact-burst', 8],
  ['contact-revert', 3],
  ['contact-cosmetic', 3],
  ['person-edit', 7],
  ['contact-irrelevant', 50],
  ['person-irrelevant', 28],
];

export interface DayOptions {
  readonly randomSeed: number;
  readonly contacts: number;
  readonly personsPerContact: number;
  readonly episodes: number;
  readonly durationMs: number;
  readonly debounceMs: number;
}

const urlFor = (name: string) =>
  `https://${name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}.example`;

function contactFields(c: ContactModel): Entity {
  return {
    Name: c.name,
    OrgNr: c.orgNr,
    Description: c.description,
    Department: c.department,
    Country: c.country ? { CountryId: c.country.id, Name: c.country.name } : null,
    Category: c.category ? { Id: c.category.id, Value: c.category.name } : null,
    ...urlFields(c.urls),
  };
}

function urlFields(urls: readonly string[]): Entity {
  return {
    Urls: urls.map((u) => ({
      Value: u,
      StrippedValue: u.replace(/^https?:\/\//, ''),
      Description: '',
    })),
    Domains: urls.map((u) => new URL(u).hostname),
  };
}

/** What the worker gives the provider (apps/worker companyInput/personInput, same fields). */
function companyOf(c: ContactModel | undefined): CompanyInput {
  return c
    ? {
        name: c.name,
        website: c.urls[0],
        domains: c.urls.map((u) => new URL(u).hostname),
        orgNr: c.orgNr || undefined,
        country: c.country?.name,
        description: c.description || undefined,
      }
    : {
        name: '',
        website: undefined,
        domains: [],
        orgNr: undefined,
        country: undefined,
        description: undefined,
      };
}

function personOf(p: PersonModel): PersonInput {
  return {
    firstName: p.firstname,
    lastName: p.lastname,
    jobTitle: p.title || undefined,
    position: p.position?.name,
  };
}

function printOf(inputs: WindowInputs): string {
  return inputs.kind === 'contact'
    ? companyFingerprint(inputs.company)
    : personFingerprint(inputs.person, companyFingerprint(inputs.company));
}

/** Generates the tenant and the day's traffic; same options, same day. */
export function generateDay(options: DayOptions): TrafficDay {
  const random = seededRandom(options.randomSeed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const base = loadSeed();
  const humans = base.humans.map((h) => h.associateId);

  const contacts = new Map<number, ContactModel>();
  const persons = new Map<number, PersonModel>();
  let serial = 0;
  const newContact = (id: number): ContactModel => {
    const [trade, description] = pick(TRADES);
    const name = `${pick(STEMS)}${pick(['', 'heim', 'sund', 'vik'])} ${trade} ${++serial}`;
    return {
      id,
      name,
      orgNr: String(900_000_000 + int(99_999_999)),
      description,
      urls: [urlFor(name)],
      country: pick(COUNTRIES),
      department: pick(DEPARTMENTS),
      category: pick(CATEGORIES),
    };
  };
  const newPerson = (id: number, contactId: number): PersonModel => ({
    id,
    contactId,
    firstname: pick(FIRST),
    lastname: pick(LAST),
    title: pick(TITLES),
    position: pick(POSITIONS),
  });
  for (let i = 0; i < options.contacts; i++) {
    const c = newContact(100 + i);
    contacts.set(c.id, c);
    for (let j = 0; j < options.personsPerContact; j++) {
      const p = newPerson(3000 + i * options.personsPerContact + j, c.id);
      persons.set(p.id, p);
    }
  }
  const seed: TenantSeed = {
    ...base,
    contacts: [...contacts.values()].map((c) => ({
      id: c.id,
      name: c.name,
      orgNr: c.orgNr,
      department: c.department,
      description: c.description,
      urls: c.urls,
      country: c.country,
      business: null,
      category: c.category,
      ownerAssociateId: pick(humans),
    })),
    persons: [...persons.values()].map((p) => ({
      id: p.id,
      contactId: p.contactId,
      firstname: p.firstname,
      lastname: p.lastname,
      title: p.title,
      position: p.position,
    })),
  };

  // The simulator numbers created records from 1000 on, in creation order.
  let nextContactId = 1000;
  let nextPersonId = 1000;
  const steps: Step[] = [];
  const windows: Window[] = [];
  const enrichedPrint = new Map<string, string>();
  const freeAt = new Map<number, number>(); // account (contact id) → when it may get a new window
  const episodes = Object.fromEntries(WEIGHTS.map(([t]) => [t, 0])) as Record<EpisodeType, number>;
  const totalWeight = WEIGHTS.reduce((a, [, w]) => a + w, 0);
  const hold = options.debounceMs + 2500;
  const lastStart = options.durationMs - hold;
  const starts = Array.from({ length: options.episodes }, () => int(lastStart)).sort(
    (a, b) => a - b,
  );
  const personsOf = (contactId: number) =>
    [...persons.values()].filter((p) => p.contactId === contactId);

  const window = (kind: RecordKind, id: number, type: EpisodeType, events: number) => {
    const inputs: WindowInputs =
      kind === 'contact'
        ? { kind, company: companyOf(contacts.get(id)) }
        : {
            kind,
            person: personOf(persons.get(id)!),
            company: companyOf(contacts.get(persons.get(id)!.contactId)),
          };
    const print = printOf(inputs);
    const key = `${kind}:${id}`;
    const changed = enrichedPrint.get(key) !== print;
    enrichedPrint.set(key, print);
    windows.push({ kind, id, episode: type, events, changed, inputs });
  };
  const edit = (
    at: number,
    kind: RecordKind,
    id: number,
    fields: Entity,
    by: number,
    relevant: boolean,
  ) => steps.push({ at, op: 'edit', kind, id, fields, byAssociateId: by, relevant });

  for (const start of starts) {
    let roll = random() * totalWeight;
    let type: EpisodeType = 'contact-irrelevant';
    for (const [t, w] of WEIGHTS) {
      if ((roll -= w) < 0) {
        type = t;
        break;
      }
    }
    const by = pick(humans);
    const relevantEpisode = !type.endsWith('-irrelevant');
    let account: number | undefined;
    if (type !== 'create-contact') {
      const ids = [...contacts.keys()];
      for (let tries = 0; tries < 30 && account === undefined; tries++) {
        const candidate = pick(ids);
        if (!relevantEpisode || (freeAt.get(candidate) ?? 0) <= start) account = candidate;
      }
      if (account === undefined) continue; // every account busy: the day is quieter here
    }
    let t = start;
    const gap = () => 80 + int(170);
    switch (type) {
      case 'create-contact': {
        const c = newContact(nextContactId++);
        contacts.set(c.id, c);
        account = c.id;
        steps.push({
          at: t,
          op: 'create',
          kind: 'contact',
          id: c.id,
          fields: contactFields(c),
          byAssociateId: by,
          relevant: true,
        });
        window('contact', c.id, type, 1);
        break;
      }
      case 'create-person': {
        const p = newPerson(nextPersonId++, account!);
        persons.set(p.id, p);
        const company = contacts.get(account!)!;
        steps.push({
          at: t,
          op: 'create',
          kind: 'person',
          id: p.id,
          fields: {
            Firstname: p.firstname,
            Lastname: p.lastname,
            Title: p.title,
            Position: p.position ? { Id: p.position.id, Value: p.position.name } : null,
            Contact: { ContactId: company.id, Name: company.name },
          },
          byAssociateId: by,
          relevant: true,
        });
        window('person', p.id, type, 1);
        break;
      }
      case 'contact-edit': {
        const c = contacts.get(account!)!;
        const what = int(3);
        if (what === 0)
          c.name = `${c.name.replace(/ (AS|AB|Group)$/, '')} ${pick(['AS', 'AB', 'Group'])}`;
        else if (what === 1) c.orgNr = String(900_000_000 + int(99_999_999));
        else c.urls = [urlFor(`${c.name} ${int(1000)}`)];
        const fields =
          what === 0 ? { Name: c.name } : what === 1 ? { OrgNr: c.orgNr } : urlFields(c.urls);
        edit(t, 'contact', c.id, fields, by, true);
        window('contact', c.id, type, 1);
        break;
      }
      case 'contact-burst': {
        // Someone types a new name in several saves, then fixes the web address.
        const c = contacts.get(account!)!;
        const target = `${pick(STEMS)} ${pick(TRADES)[0]} ${++serial}`;
        const saves = 3 + int(5);
        for (let i = 1; i <= saves; i++) {
          c.name = target.slice(0, Math.max(1, Math.ceil((target.length * i) / saves)));
          edit(t, 'contact', c.id, { Name: c.name }, by, true);
          t += gap();
        }
        c.urls = [urlFor(target)];
        edit(t, 'contact', c.id, urlFields(c.urls), by, true);
        window('contact', c.id, type, saves + 1);
        break;
      }
      case 'contact-revert': {
        // An edit undone a moment later: relevant events, nothing the provider reads changed.
        const c = contacts.get(account!)!;
        const original = c.name;
        edit(t, 'contact', c.id, { Name: `${original} (old)` }, by, true);
        t += gap();
        edit(t, 'contact', c.id, { Name: original }, by, true);
        window('contact', c.id, type, 2);
        break;
      }
      case 'contact-cosmetic': {
        // Only case or spacing of the name: a relevant column, an unchanged fingerprint.
        const c = contacts.get(account!)!;
        c.name = c.name === c.name.toUpperCase() ? c.name.toLowerCase() : c.name.toUpperCase();
        edit(t, 'contact', c.id, { Name: c.name }, by, true);
        window('contact', c.id, type, 1);
        break;
      }
      case 'person-edit': {
        const candidates = personsOf(account!);
        if (candidates.length === 0) continue;
        const p = pick(candidates);
        const title = TITLES.filter((x) => x !== p.title);
        p.title = pick(title);
        const fields: Entity = { Title: p.title };
        if (random() < 0.3) {
          const other = POSITIONS.filter((x) => x?.id !== p.position?.id);
          p.position = pick(other);
          fields.Position = p.position ? { Id: p.position.id, Value: p.position.name } : null;
        }
        edit(t, 'person', p.id, fields, by, true);
        window('person', p.id, type, 1);
        break;
      }
      case 'contact-irrelevant': {
        // Phone-number-like noise: department, category; no relevant column, no fingerprint input.
        const c = contacts.get(account!)!;
        if (random() < 0.5) {
          c.department = pick(DEPARTMENTS.filter((d) => d !== c.department));
          edit(t, 'contact', c.id, { Department: c.department }, by, false);
        } else {
          c.category = pick(CATEGORIES.filter((x) => x.id !== c.category?.id));
          edit(
            t,
            'contact',
            c.id,
            { Category: { Id: c.category.id, Value: c.category.name } },
            by,
            false,
          );
        }
        break;
      }
      case 'person-irrelevant': {
        const candidates = personsOf(account!);
        if (candidates.length === 0) continue;
        const p = pick(candidates);
        p.lastname = pick(LAST.filter((x) => x !== p.lastname));
        edit(t, 'person', p.id, { Lastname: p.lastname }, by, false);
        break;
      }
    }
    episodes[type]++;
    if (relevantEpisode && account !== undefined) freeAt.set(account, t + hold);
  }
  steps.sort((a, b) => a.at - b.at);
  return {
    seed,
    steps,
    windows,
    durationMs: options.durationMs,
    debounceMs: options.debounceMs,
    episodes,
  };
}
