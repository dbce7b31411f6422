import type { WebhookEvent } from '@so-connector/queue';
import { buildRules, decide, parseOwnerScope, type Decision } from './index';

const OWN = 42;
const base: WebhookEvent = {
  EventId: '88f91933-edce-4c1a-8ded-ade8e2f72434',
  Timestamp: '2025-05-14T10:48:07.8912039Z',
  Changes: [],
  Event: 'contact.changed',
  PrimaryKey: 18,
  Entity: 'contact',
  ContextIdentifier: 'Cust54321',
  ChangedByAssociateId: 5,
  WebhookName: 'My Contact Handler',
};
const event = (overrides: Partial<WebhookEvent>): WebhookEvent => ({ ...base, ...overrides });

// Real payloads from SuperOffice's docs (shared/seeds, superoffice-api.md 1.4 and 2.1).
const docsContactChanged = event({
  Changes: ['contact_id', 'updated_associate_id', 'soundEx', 'updated', 'name'],
  FieldValues: {
    activeInterests: 0,
    associate_id: 12,
    business_idx: 2,
    category_idx: 4,
    country_id: 826,
    deleted: 0,
    updated: '2025-05-14T10:48:07.8912039+02:00',
    userdef2_id: 0,
    userdef_id: 22,
  },
});
const vector1 = event({
  EventId: '8337ae4a-1dd6-40fd-8dc7-a050664a0af7',
  Changes: [
    'contact_id',
    'associate_id',
    'department',
    'updated_associate_id',
    'updated',
    'updatedCount',
  ],
  PrimaryKey: 994863,
  ChangedByAssociateId: 316,
});
const vector2Test = event({
  Event: 'test',
  Entity: 'test',
  PrimaryKey: 0,
  ContextIdentifier: 'Default',
  ChangedByAssociateId: 316,
});
const personDeleted = event({
  Event: 'person.deleted',
  Entity: 'person',
  Changes: [],
  Values: { associate_id: 4039840, contact_id: 9, person_id: 18 },
});

describe('decide (default rules)', () => {
  it.each<[string, WebhookEvent, Partial<Decision>]>([
    [
      'docs contact.changed with a name change',
      docsContactChanged,
      { action: 'enrich-contact', reason: 'relevant-change', recordId: 18, matched: ['name'] },
    ],
    [
      'docs vector 1: department/associate changes only',
      vector1,
      {
        action: 'skip',
        reason: 'irrelevant-change',
        detail:
          'changed: contact_id, associate_id, department, updated_associate_id, updated, updatedCount',
      },
    ],
    [
      'docs vector 2: the registration test event',
      vector2Test,
      { action: 'skip', reason: 'test-event' },
    ],
    [
      'docs person.deleted with Values',
      personDeleted,
      { action: 'skip', reason: 'record-deleted', detail: 'person.deleted' },
    ],
    [
      'contact.softdeleted',
      event({ Event: 'contact.softdeleted' }),
      { action: 'skip', reason: 'record-deleted' },
    ],
    [
      'contact.created',
      event({ Event: 'contact.created', Changes: [] }),
      { action: 'enrich-contact', reason: 'created', matched: [] },
    ],
    [
      'person.created',
      event({ Event: 'person.created', Entity: 'person', PrimaryKey: 7 }),
      { action: 'enrich-person', reason: 'created', recordId: 7 },
    ],
    [
      'orgNr written in camel case (SuperOffice examples do)',
      event({ Changes: ['orgNr', 'updated'] }),
      { action: 'enrich-contact', matched: ['orgNr'] },
    ],
    [
      'a URL change',
      event({ Changes: ['urladdress'] }),
      { action: 'enrich-contact', matched: ['urladdress'] },
    ],
    [
      'a UDF change by a human',
      event({ Changes: ['userdef_id', 'updated'] }),
      { action: 'enrich-contact', matched: ['userdef_id'] },
    ],
    [
      'a phone change only',
      event({ Changes: ['phone', 'updated', 'updated_associate_id'] }),
      { action: 'skip', reason: 'irrelevant-change' },
    ],
    [
      'an empty Changes list',
      event({ Changes: [] }),
      { action: 'skip', reason: 'irrelevant-change', detail: 'changed: (nothing)' },
    ],
    [
      'person job title (real column `title`)',
      event({ Event: 'person.changed', Entity: 'person', Changes: ['title'] }),
      { action: 'enrich-person', matched: ['title'] },
    ],
    [
      'person position (real column `position_idx`)',
      event({ Event: 'person.changed', Entity: 'person', Changes: ['position_idx'] }),
      { action: 'enrich-person' },
    ],
    [
      "the prototype's `jobtitle`",
      event({ Event: 'person.changed', Entity: 'person', Changes: ['jobtitle'] }),
      { action: 'enrich-person' },
    ],
    [
      'a person name change only',
      event({ Event: 'person.changed', Entity: 'person', Changes: ['firstname', 'updated'] }),
      { action: 'skip', reason: 'irrelevant-change' },
    ],
    [
      'person.consented',
      event({ Event: 'person.consented', Entity: 'person' }),
      { action: 'skip', reason: 'unsupported-event', detail: 'person.consented' },
    ],
    [
      'a sale event',
      event({ Event: 'sale.created', Entity: 'sale' }),
      { action: 'skip', reason: 'unsupported-entity', detail: 'sale.created' },
    ],
    [
      'a webhook state event',
      event({ Event: 'webhook.errors', Entity: 'webhook', ChangedByAssociateId: 0 }),
      { action: 'skip', reason: 'unsupported-entity' },
    ],
    [
      'our own UDF write coming back (echo)',
      event({ Changes: ['userdef_id', 'updated'], ChangedByAssociateId: OWN }),
      { action: 'skip', reason: 'echo' },
    ],
    [
      'our own write of a created record',
      event({ Event: 'contact.created', ChangedByAssociateId: OWN }),
      { action: 'skip', reason: 'echo' },
    ],
    [
      'event names in another case',
      event({ Event: 'Contact.Changed', Changes: ['name'] }),
      { action: 'enrich-contact' },
    ],
  ])('%s', (_label, input, expected) => {
    expect(decide(input, { ownAssociateId: OWN })).toMatchObject(expected);
  });
});

describe('decide with an owner scope (SCOPE_OWNER_ASSOCIATES)', () => {
  const relevant = (fieldValues?: Record<string, unknown>) =>
    event({ Changes: ['name'], ...(fieldValues ? { FieldValues: fieldValues } : {}) });

  it.each<[string, string[], WebhookEvent, Partial<Decision>]>([
    [
      'owner in the id list',
      ['12', '15'],
      relevant({ associate_id: 12 }),
      { action: 'enrich-contact', scopePending: false },
    ],
    [
      'owner as an encoded value',
      ['12'],
      relevant({ associate_id: '[I:12]' }),
      { action: 'enrich-contact', scopePending: false },
    ],
    [
      'owner outside the id list',
      ['15'],
      relevant({ associate_id: 12 }),
      { action: 'skip', reason: 'out-of-scope', detail: 'owner associate 12' },
    ],
    [
      'no FieldValues: decided after reading the record',
      ['15'],
      relevant(),
      { action: 'enrich-contact', scopePending: true },
    ],
    [
      'short names need the record',
      ['RJ'],
      relevant({ associate_id: 12 }),
      { action: 'enrich-contact', scopePending: true },
    ],
    [
      'an echo stays an echo, whatever the owner',
      ['12'],
      event({ Changes: ['name'], ChangedByAssociateId: OWN, FieldValues: { associate_id: 12 } }),
      { action: 'skip', reason: 'echo' },
    ],
  ])('%s', (_label, entries, input, expected) => {
    expect(
      decide(input, { ownAssociateId: OWN, ownerScope: parseOwnerScope(entries) }),
    ).toMatchObject(expected);
  });
});

describe('configurable rules', () => {
  it('replaces the relevant columns', () => {
    const rules = buildRules({ contactChangeColumns: ['department'] });
    expect(decide(vector1, { ownAssociateId: OWN }, rules)).toMatchObject({
      action: 'enrich-contact',
      matched: ['department'],
    });
    expect(decide(docsContactChanged, { ownAssociateId: OWN }, rules)).toMatchObject({
      action: 'skip',
      reason: 'irrelevant-change',
    });
  });

  it('can stop enriching on create', () => {
    expect(
      decide(
        event({ Event: 'contact.created' }),
        { ownAssociateId: OWN },
        buildRules({ enrichOnCreate: false }),
      ),
    ).toMatchObject({ action: 'skip', reason: 'unsupported-event' });
  });
});

describe('parseOwnerScope', () => {
  it('splits ids and names and treats an empty list as no scope', () => {
    expect(parseOwnerScope(['12', ' rj ', ''])).toEqual({
      ids: new Set([12]),
      names: new Set(['RJ']),
    });
    expect(parseOwnerScope([])).toBeUndefined();
  });
});
