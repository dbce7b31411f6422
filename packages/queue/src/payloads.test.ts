import { aContactChangedEvent, aTestEvent, aWebhookEvent } from '@so-connector/testing';
import { eventJobSchema, webhookEventSchema } from './index';

describe('webhookEventSchema', () => {
  it.each([
    ['aWebhookEvent', aWebhookEvent()],
    ['aContactChangedEvent', aContactChangedEvent({ changes: ['orgnr'], contactId: 7 })],
    ['aTestEvent', aTestEvent()],
  ])('accepts what the %s test builder makes', (_name, event) => {
    expect(webhookEventSchema.safeParse(event).success).toBe(true);
  });
});

describe('eventJobSchema', () => {
  it('defaults spooled to false for jobs written before the field existed', () => {
    const parsed = eventJobSchema.parse({
      tenant: 'Cust1',
      receivedAt: new Date().toISOString(),
      deliveryRetry: 0,
      event: aWebhookEvent(),
    });
    expect(parsed.spooled).toBe(false);
  });
});
