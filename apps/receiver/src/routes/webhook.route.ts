import type { Express, Request, Response } from 'express';
import type { TenantConfig, WebhookAuthConfig } from '@so-connector/config';
import type { Logger } from '@so-connector/logger';
import { TEST_EVENT_NAME } from '@so-connector/queue';
import { WebhookRejection } from '../http-errors';
import type { ReceiverMetrics, RequestOutcome } from '../metrics';
import type { EventAcceptor } from '../webhook/accept-event';
import { authenticateDelivery } from '../webhook/authenticate';
import { parseWebhookEvent } from '../webhook/parse-event';
import { readBody } from '../webhook/read-body';
import { SIGNATURE_HEADER } from '../webhook/verify-signature';

/** The prototype's route stays an alias so webhooks registered for it keep working. */
export const WEBHOOK_PATHS = ['/webhooks/superoffice', '/connector/webhook'] as const;

export const MAX_BODY_BYTES = 256 * 1024;

const JSON_TYPES = ['application/json', 'application/*+json'];

/** Every registration ping's body holds this: `"Event":"test"`. */
const PING_MARKER = Buffer.from(`"${TEST_EVENT_NAME}"`);

export interface WebhookRouteDeps {
  readonly auth: WebhookAuthConfig;
  readonly tenant: TenantConfig;
  readonly accept: EventAcceptor;
  readonly logger: Logger;
  readonly metrics: ReceiverMetrics;
}

function retryCount(header: string | undefined): number {
  const n = Number.parseInt(header ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/**
 * POST /webhooks/superoffice. Order (STYLE.md principle 6): size → content type → signature over
 * the raw bytes → JSON → schema → tenant → durable enqueue → 200. The one exception to "signature
 * first": the registration `test` ping is answered 200 whatever its signature (it queues nothing). Each refusal has its own status
 * and a JSON message naming the header or field.
 */
export function mountWebhookRoutes(app: Express, deps: WebhookRouteDeps): void {
  const handle = async (req: Request, res: Response): Promise<void> => {
    const start = process.hrtime.bigint();
    const answer = (status: number, body: object, outcome: RequestOutcome, tenant: string) => {
      deps.metrics.observeRequest(outcome, tenant, Number(process.hrtime.bigint() - start) / 1e9);
      res.status(status).json(body);
    };
    const reject = (rejection: WebhookRejection, eventId = req.get('x-superoffice-eventid')) => {
      deps.logger.warn('webhook refused', {
        status: rejection.status,
        reason: rejection.message,
        ...(eventId ? { eventId } : {}),
      });
      // An unread or partly read body cannot be reused by the next request on this connection.
      if (!req.complete) res.set('Connection', 'close');
      answer(rejection.status, rejection.toBody(), rejection.kind, 'unknown');
    };

    // An oversized body is refused before any byte of it is read.
    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      return reject(new WebhookRejection('too_large', 'body is larger than the 256 KiB limit'));
    }
    if (!req.is(JSON_TYPES)) {
      return reject(
        new WebhookRejection('unsupported_media_type', 'Content-Type must be application/json'),
      );
    }
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof WebhookRejection) return reject(error);
      throw error;
    }

    const token = req.query.token;
    const auth = authenticateDelivery(
      rawBody,
      {
        signature: req.get(SIGNATURE_HEADER),
        token: typeof token === 'string' ? token : undefined,
      },
      deps.auth,
    );
    // The registration ping is answered 200 and never queued, whatever its tenant (it may say
    // "Default") and whatever secret signed it: SuperOffice signs it with the secret being
    // registered, which this receiver learns only afterwards (`so-connector webhooks register`
    // prints it). An unauthenticated body is parsed only when it can be a ping at all.
    const parsed =
      auth.ok || rawBody.includes(PING_MARKER) ? parseWebhookEvent(rawBody) : undefined;
    if (parsed?.ok && parsed.event.Event === TEST_EVENT_NAME) {
      const { EventId: eventId, WebhookName: webhookName, ContextIdentifier } = parsed.event;
      deps.logger.info('webhook test event answered', { eventId, webhookName, signed: auth.ok });
      return answer(200, { status: 'ignored', eventId }, 'ignored', ContextIdentifier);
    }
    if (!auth.ok) return reject(new WebhookRejection('unauthorized', auth.message));
    const result = parsed ?? parseWebhookEvent(rawBody); // always parsed here: auth.ok
    if (!result.ok) return reject(new WebhookRejection('bad_request', result.message));
    const event = result.event;
    const eventId = event.EventId;

    if (event.ContextIdentifier.toLowerCase() !== deps.tenant.contextIdentifier.toLowerCase()) {
      return reject(
        new WebhookRejection(
          'forbidden',
          `ContextIdentifier ${event.ContextIdentifier} is not this connector's tenant`,
        ),
        eventId,
      );
    }

    let outcome;
    try {
      outcome = await deps.accept({
        tenant: event.ContextIdentifier,
        receivedAt: new Date().toISOString(),
        deliveryRetry: retryCount(req.get('x-superoffice-retry')),
        spooled: false,
        event,
      });
    } catch (error) {
      deps.logger.error('event could not be made durable: Redis and the spool both failed', {
        eventId,
        error: error instanceof Error ? error.message : String(error),
      });
      return reject(
        new WebhookRejection('unavailable', 'the event could not be stored; retry later'),
        eventId,
      );
    }
    // One access-log line per delivery at winston's `http` level (LOG_LEVEL=http shows them);
    // refusals, spooling and failures are logged at warn or above on their own.
    deps.logger.http('webhook received', {
      eventId,
      outcome,
      event: event.Event,
      primaryKey: event.PrimaryKey,
      tenant: event.ContextIdentifier,
      authenticatedBy: auth.method,
    });
    return answer(200, { status: outcome, eventId }, outcome, event.ContextIdentifier);
  };

  // Mounted on the app itself, not a nested Router: one routing layer less on the hot path.
  for (const path of WEBHOOK_PATHS) app.post(path, handle);
}
