import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { TenantConfig, WebhookAuthConfig } from '@so-connector/config';
import type { Logger } from '@so-connector/logger';
import { TEST_EVENT_NAME } from '@so-connector/queue';
import { fromBodyParserError, WebhookRejection } from '../http-errors';
import type { ReceiverMetrics, RequestOutcome } from '../metrics';
import type { EventAcceptor } from '../webhook/accept-event';
import { authenticateDelivery } from '../webhook/authenticate';
import { parseWebhookEvent } from '../webhook/parse-event';
import { SIGNATURE_HEADER } from '../webhook/verify-signature';

/** The prototype's route stays an alias so webhooks registered for it keep working. */
export const WEBHOOK_PATHS = ['/webhooks/superoffice', '/connector/webhook'] as const;

export const MAX_BODY_BYTES = 256 * 1024;

export interface WebhookRouteDeps {
  readonly auth: WebhookAuthConfig;
  readonly tenant: TenantConfig;
  readonly accept: EventAcceptor;
  readonly logger: Logger;
  readonly metrics: ReceiverMetrics;
}

function singleQueryValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function retryCount(header: string | undefined): number {
  const n = Number.parseInt(header ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/**
 * POST /webhooks/superoffice. Order (STYLE.md principle 6): size → content type → signature over
 * the raw bytes → JSON → schema → tenant → durable enqueue → 200. Each refusal has its own status
 * and a JSON message naming the header or field.
 */
export function webhookRouter(deps: WebhookRouteDeps): Router {
  const router = Router();
  const started = new WeakMap<Request, bigint>();

  const answer = (
    req: Request,
    res: Response,
    status: number,
    body: object,
    outcome: RequestOutcome,
    tenant: string,
  ) => {
    const start = started.get(req) ?? process.hrtime.bigint();
    deps.metrics.observeRequest(outcome, tenant, Number(process.hrtime.bigint() - start) / 1e9);
    res.status(status).json(body);
  };

  const reject = (req: Request, res: Response, rejection: WebhookRejection, eventId?: string) => {
    deps.logger.warn('webhook refused', {
      status: rejection.status,
      reason: rejection.message,
      ...(eventId ? { eventId } : {}),
    });
    answer(req, res, rejection.status, rejection.toBody(), rejection.kind, 'unknown');
  };

  const checkContentType = (req: Request, res: Response, next: NextFunction) => {
    started.set(req, process.hrtime.bigint());
    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      // Refused before reading: an oversized body is not worth the bytes.
      reject(req, res, new WebhookRejection('too_large', 'body is larger than the 256 KiB limit'));
      return;
    }
    if (!req.is(['application/json', 'application/*+json'])) {
      reject(
        req,
        res,
        new WebhookRejection('unsupported_media_type', 'Content-Type must be application/json'),
      );
      return;
    }
    next();
  };

  const readRawBody = express.raw({ type: () => true, limit: MAX_BODY_BYTES });

  const handle = async (req: Request, res: Response) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const headerEventId = req.get('x-superoffice-eventid');

    const auth = authenticateDelivery(
      rawBody,
      { signature: req.get(SIGNATURE_HEADER), token: singleQueryValue(req.query.token) },
      deps.auth,
    );
    if (!auth.ok)
      return reject(req, res, new WebhookRejection('unauthorized', auth.message), headerEventId);

    const parsed = parseWebhookEvent(rawBody);
    if (!parsed.ok)
      return reject(req, res, new WebhookRejection('bad_request', parsed.message), headerEventId);
    const event = parsed.event;
    const log = deps.logger.child({ eventId: event.EventId });

    // The registration ping may say "Default" whatever the tenant; it is answered, never queued.
    if (event.Event === TEST_EVENT_NAME) {
      log.info('webhook test event answered', { webhookName: event.WebhookName });
      return answer(
        req,
        res,
        200,
        { status: 'ignored', eventId: event.EventId },
        'ignored',
        event.ContextIdentifier,
      );
    }
    if (event.ContextIdentifier.toLowerCase() !== deps.tenant.contextIdentifier.toLowerCase()) {
      return reject(
        req,
        res,
        new WebhookRejection(
          'forbidden',
          `ContextIdentifier ${event.ContextIdentifier} is not this connector's tenant`,
        ),
        event.EventId,
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
      log.error('event could not be made durable: Redis and the spool both failed', {
        error: error instanceof Error ? error.message : String(error),
      });
      return reject(
        req,
        res,
        new WebhookRejection('unavailable', 'the event could not be stored; retry later'),
        event.EventId,
      );
    }
    log.info('webhook received', {
      outcome,
      event: event.Event,
      primaryKey: event.PrimaryKey,
      tenant: event.ContextIdentifier,
      authenticatedBy: auth.method,
    });
    return answer(
      req,
      res,
      200,
      { status: outcome, eventId: event.EventId },
      outcome,
      event.ContextIdentifier,
    );
  };

  for (const path of WEBHOOK_PATHS) router.post(path, checkContentType, readRawBody, handle);

  router.use(
    WEBHOOK_PATHS as unknown as string[],
    (error: unknown, req: Request, res: Response, next: NextFunction) => {
      const rejection = fromBodyParserError(error);
      if (!rejection) return next(error);
      return reject(req, res, rejection);
    },
  );
  return router;
}
