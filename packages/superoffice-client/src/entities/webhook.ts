import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const WEBHOOK_STATES = ['Unknown', 'Active', 'Stopped', 'TooManyErrors'] as const;

/** The webhook entity (superoffice-api.md 4.2). `Secret` is sensitive: never log it. */
export const webhookSchema = z.looseObject({
  WebhookId: z.number().int(),
  Name: z.string().nullish(),
  Events: z.array(z.string()).nullish(),
  TargetUrl: z.string().nullish(),
  Secret: z.string().nullish(),
  State: z.string().nullish(),
  Type: z.string().nullish(),
  Headers: z.record(z.string(), z.string()).nullish(),
  Properties: z.record(z.string(), z.unknown()).nullish(),
  ErrorsEmail: z.string().nullish(),
});

export type Webhook = z.output<typeof webhookSchema>;

/**
 * The answer of `POST /api/v1/Webhook/Test` (superoffice-api.md 4.1): SuperOffice pinged the
 * definition's TargetUrl with a `test` event; `Message` holds what the target answered.
 */
export const webhookTestResultSchema = z.looseObject({
  Success: z.boolean(),
  Message: z.string().nullish(),
});

export type WebhookTestResult = z.output<typeof webhookTestResultSchema>;

export interface WebhookDefinition {
  readonly Name: string;
  readonly Events: readonly string[];
  readonly TargetUrl: string;
  readonly Secret?: string;
  readonly State?: (typeof WEBHOOK_STATES)[number];
  readonly Type?: 'webhook';
  readonly Headers?: Readonly<Record<string, string>>;
  readonly ErrorsEmail?: string;
}

/** The Name this connector gives the webhooks it registers (`so-connector webhooks register`). */
export const CONNECTOR_WEBHOOK_NAME = 'so-connector';

/** The events the connector subscribes to. */
export const CONNECTOR_WEBHOOK_EVENTS = [
  'contact.created',
  'contact.changed',
  'person.created',
  'person.changed',
] as const;

/** The receiver's shared webhook route; a tenant's own is `{this}/{ContextIdentifier}`. */
const SHARED_ROUTE = '/webhooks/superoffice';

/**
 * Is this one of the connector's webhooks? Its TargetUrl is the receiver's public URL when that
 * is known (the Sesam pattern: own-URL matching), else its Name is the connector's. With the
 * tenant's ContextIdentifier, the tenant's own route (`{public URL}/{ctx}`, what onboarding
 * registers when the public URL is `…/webhooks/superoffice`) counts too.
 */
export function isConnectorWebhook(
  webhook: Pick<Webhook, 'Name' | 'TargetUrl'>,
  publicUrl?: string,
  contextIdentifier?: string,
): boolean {
  if (publicUrl) {
    const strip = (url: string) =>
      url
        .replace(/[?#].*$/, '')
        .replace(/\/+$/, '')
        .toLowerCase();
    const shared = strip(publicUrl);
    const target = strip(webhook.TargetUrl ?? '');
    if (target === shared) return true;
    return (
      contextIdentifier !== undefined &&
      shared.endsWith(SHARED_ROUTE) &&
      target === `${shared}/${encodeURIComponent(contextIdentifier).toLowerCase()}`
    );
  }
  return (webhook.Name ?? '').toLowerCase().startsWith(CONNECTOR_WEBHOOK_NAME);
}

/** 32 random bytes, base64url: SuperOffice asks for 32+ random bytes; no `+/=` to quote in .env. */
export function generateWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}
