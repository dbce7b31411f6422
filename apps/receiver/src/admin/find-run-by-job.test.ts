import { QUEUE_NAMES } from '@so-connector/queue';
import { accountHints } from './find-run-by-job';

const eventData = (event: Record<string, unknown>) => ({
  tenant: 'Cust1',
  receivedAt: '2025-03-01T10:00:00.000Z',
  deliveryRetry: 0,
  event: {
    EventId: '0b7a1d7e-54d4-4f0e-9a55-6f3b2e1d0c11',
    Timestamp: '2025-03-01T10:00:00Z',
    Changes: ['name'],
    ContextIdentifier: 'Cust1',
    ChangedByAssociateId: 5,
    WebhookName: 'so-connector',
    ...event,
  },
});

describe('accountHints', () => {
  it('takes a contact event’s own record id', () => {
    expect(
      accountHints(
        QUEUE_NAMES.events,
        eventData({ Event: 'contact.changed', Entity: 'contact', PrimaryKey: 42 }),
      ),
    ).toEqual([42]);
  });

  it('takes the company of a person event from FieldValues, plain or encoded', () => {
    const person = { Event: 'person.changed', Entity: 'person', PrimaryKey: 7 };
    expect(
      accountHints(QUEUE_NAMES.events, eventData({ ...person, FieldValues: { contact_id: 42 } })),
    ).toEqual([42]);
    expect(
      accountHints(
        QUEUE_NAMES.events,
        eventData({ ...person, FieldValues: { contact_id: '[I:43]' } }),
      ),
    ).toEqual([43]);
    expect(accountHints(QUEUE_NAMES.events, eventData(person))).toEqual([]);
  });

  it('takes an enrichment’s account, or its record when it is a contact', () => {
    const base = { tenant: 'Cust1', firstEventAt: '2025-03-01T10:00:00.000Z', lastEventId: 'e' };
    expect(
      accountHints(QUEUE_NAMES.enrich, { ...base, entity: 'person', recordId: 7, accountId: 42 }),
    ).toEqual([42]);
    expect(accountHints(QUEUE_NAMES.enrich, { ...base, entity: 'contact', recordId: 9 })).toEqual([
      9,
    ]);
  });

  it('gives no hint for data it cannot read or other queues', () => {
    expect(accountHints(QUEUE_NAMES.events, { nonsense: true })).toEqual([]);
    expect(accountHints(QUEUE_NAMES.maintenance, { tenant: 'Cust1' })).toEqual([]);
  });
});
