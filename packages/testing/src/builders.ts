import { randomUUID } from 'node:crypto';
import type { WebhookEvent } from '@so-connector/queue';

export const TEST_TENANT = 'Cust12345';

/** A valid webhook body; override any field. Defaults to a `contact.changed` of contact 18. */
export function aWebhookEvent(
  overrides: Partial<WebhookEvent> & Record<string, unknown> = {},
): WebhookEvent {
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
): WebhookEvent {
  return aWebhookEvent({
    ...(options.changes ? { Changes: options.changes } : {}),
    ...(options.contactId !== undefined ? { PrimaryKey: options.contactId } : {}),
  });
}

/** The registration ping (superoffice-api.md 1.4 vector 2): Event `test`, PrimaryKey 0, tenant `Default`. */
export function aTestEvent(): WebhookEvent {
  return aWebhookEvent({
    Event: 'test',
    Entity: 'test',
    PrimaryKey: 0,
    Changes: [],
    ContextIdentifier: 'Default',
  });
}
