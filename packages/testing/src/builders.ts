import { randomUUID } from 'node:crypto';

/**
 * A webhook body as SuperOffice sends it (superoffice-api.md 2.1). Declared here rather than taken
 * from @so-connector/queue so that packages/queue can use these helpers in its own tests without a
 * dependency cycle; the receiver's tests check that every builder output passes the real schema.
 */
export interface WebhookEventFixture {
  EventId: string;
  Timestamp: string;
  Changes: string[];
  Event: string;
  PrimaryKey: number;
  Entity: string;
  ContextIdentifier: string;
  ChangedByAssociateId: number;
  WebhookName: string;
  FieldValues?: Record<string, unknown> | null;
  [extra: string]: unknown;
}

export const TEST_TENANT = 'Cust12345';

/** A valid webhook body; override any field. Defaults to a `contact.changed` of contact 18. */
export function aWebhookEvent(overrides: Partial<WebhookEventFixture> = {}): WebhookEventFixture {
  return {
    EventId: randomUUID(),
    Timestamp: new Date().toISOString(),
    Changes: ['contact_id', 'updated_associate_id', 'updated', 'name'],
    Event: 'contact.changed',
    PrimaryKey: 18,
    Entity: 'contact',
    ContextIdentifier: TEST_TENANT,
    ChangedByAssociateId: 5,
    WebhookName: 'so-connector test',
    ...overrides,
  };
}

export function aContactChangedEvent(
  options: { changes?: string[]; contactId?: number } = {},
): WebhookEventFixture {
  return aWebhookEvent({
    ...(options.changes ? { Changes: options.changes } : {}),
    ...(options.contactId !== undefined ? { PrimaryKey: options.contactId } : {}),
  });
}

/** The registration ping (superoffice-api.md 1.4 vector 2): Event `test`, PrimaryKey 0, tenant `Default`. */
export function aTestEvent(): WebhookEventFixture {
  return aWebhookEvent({
    Event: 'test',
    Entity: 'test',
    PrimaryKey: 0,
    Changes: [],
    ContextIdentifier: 'Default',
  });
}

/** The events the connector subscribes to when it registers its webhook in tests. */
export const CONNECTOR_WEBHOOK_EVENTS: readonly string[] = [
  'contact.created',
  'contact.changed',
  'contact.deleted',
  'person.created',
  'person.changed',
];
