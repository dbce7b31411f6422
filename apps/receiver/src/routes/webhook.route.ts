import type { Express, NextFunction, Request, Response } from 'express';
import type { Logger } from '@so-connector/logger';
import { TEST_EVENT_NAME } from '@so-connector/queue';
import { CONTEXT_IDENTIFIER } from '@so-connector/tenants';
import { WebhookRejection } from '../http-errors';
import type { ReceiverMetrics, RequestOutcome } from '../metrics';
import type { EventAcceptor } from '../webhook/accept-event';
import {
  identifyByBody,
  identifyByPath,
  type DeliveryIdentity,
  type TenantLookup,
} from '../webhook/identify-delivery';
import { contextIdentifierOf, decodeJsonBody, validateWebhookEvent } from '../webhook/parse-event';
import { discardBody } from '../webhook/discard-body';
import { readBody } from '../webhook/read-body';
import { SIGNATURE_HEADER } from '../webhook/verify-signature';

/** The prototype's route stays an alias so webhooks registered for it keep working. */
export const WEBHOOK_PATHS = ['/webhooks/superoffice', '/connector/webhook'] as const;

/** The per-tenant route: the tenant's secrets are chosen from the path, before the body is read. */
export const TENANT_WEBHOOK_PATH = '/webhooks/superoffice/:contextIdentifier';

export const MAX_BODY_BYTES = 256 * 1024;

/**
 * The rest of a refused body is read and thrown away up to this size before the answer goes out,
 * so the answer is not lost to a reset; a larger one is answered at once and its connection closed.
 */
export const MAX_DISCARDED_BYTES = 4 * MAX_BODY_BYTES;

const JSON_TYPES = ['application/json', 'application/*+json'];

/** Every registration ping's body holds this: `"Event":"test"`. */
const PING_MARKER = Buffer.from(`"${TEST_EVENT_NAME}"`);

/** A claimed tenant is logged at most this long (it is whatever the caller sent). */
const MAX_LOGGED_TENANT = 64;

export interface WebhookRouteDeps {
  /** The tenant registry: every tenant this receiver serves, as of each request. */
  readonly tenants: TenantLookup;
  /** SO_CONTEXT_IDENTIFIER, the environment shorthand's tenant (see identifyByBody). */
  readonly defaultTenant: string | undefined;
  /** ALLOW_UNSIGNED (receiver-wide). */
  readonly allowUnsigned: boolean;
  readonly accept: EventAcceptor;
  readonly logger: Logger;
  readonly metrics: ReceiverMetrics;
}

function retryCount(header: string | undefined): number {
  const n = Number.parseInt(header ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

const sameTenant = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * POST /webhooks/superoffice[/{ContextIdentifier}]. Order (STYLE.md principle 6): tenant from the
 * path → size → content type → (body routes: JSON, for the tenant it names) → signature over the
 * raw bytes with that tenant's secrets → JSON → schema → tenant match → durable enqueue → 200. An
 * unserved tenant fails the signature check exactly as a wrong signature does (same 401, same
 * work). The one exception to "signature first": the registration `test` ping is answered 200
 * whatever its signature (it queues nothing). Each refusal has its own status and a JSON message
 * naming the header or field.
 */
export function mountWebhookRoutes(app: Express, deps: WebhookRouteDeps): void {
  const options = { allowUnsigned: deps.allowUnsigned };
  const handle = async (req: Request, res: Response, byPath: boolean): Promise<void> => {
    const start = process.hrtime.bigint();
    const claimed = byPath ? String(req.params.contextIdentifier) : undefined;
    // Chosen before a byte of the body is read; undefined when this deployment does not serve it.
    const pathTenant = claimed === undefined ? undefined : deps.tenants.find(claimed);
    const answer = (
      status: number,
      body: object,
      outcome: RequestOutcome,
      tenant: string | undefined,
    ) => {
      deps.metrics.observeRequest(outcome, tenant, Number(process.hrtime.bigint() - start) / 1e9);
      res.status(status).json(body);
    };
    // The tenant a refusal is logged under: the served one, else whatever the path or body named.
    let named = claimed;
    const reject = async (rejection: WebhookRejection, eventId?: string, tenant?: string) => {
      const id = eventId ?? req.get('x-superoffice-eventid');
      const logged = tenant ?? named;
      deps.logger.warn('webhook refused', {
        status: rejection.status,
        reason: rejection.message,
        ...(id ? { eventId: id } : {}),
        ...(logged
          ? {
              tenant: logged.slice(0, MAX_LOGGED_TENANT),
              // For the operator (a removed tenant whose webhook still fires); never in an answer.
              served: deps.tenants.find(logged) !== undefined,
            }
          : {}),
      });
      // A body read only in part is thrown away before answering (see discardBody); one too large
      // for that leaves the connection unusable for a next request, so it closes.
      if (!(await discardBody(req, MAX_DISCARDED_BYTES))) res.set('Connection', 'close');
      answer(rejection.status, rejection.toBody(), rejection.kind, tenant);
    };

    // An oversized body is refused before any byte of it is kept.
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
    const credentials = {
      signature: req.get(SIGNATURE_HEADER),
      token: typeof token === 'string' ? token : undefined,
    };
    const identity: DeliveryIdentity = byPath
      ? identifyByPath(pathTenant, rawBody, credentials, options)
      : identifyByBody(rawBody, credentials, deps.tenants, deps.defaultTenant, options);
    const tenant = identity.ok ? identity.tenant : undefined;
    // The registration ping is answered 200 and never queued, whatever its tenant (it may say
    // "Default") and whatever secret signed it: SuperOffice signs it with the secret being
    // registered, which this receiver learns only afterwards (`so-connector webhooks register`
    // prints it). An unauthenticated body is validated only when it can be a ping at all.
    const mayBePing = identity.ok || rawBody.includes(PING_MARKER);
    const decoded = identity.decoded ?? (mayBePing ? decodeJsonBody(rawBody) : undefined);
    const parsed = mayBePing && decoded ? validateWebhookEvent(decoded) : undefined;
    if (parsed?.ok && parsed.event.Event === TEST_EVENT_NAME) {
      const { EventId: eventId, WebhookName: webhookName } = parsed.event;
      deps.logger.info('webhook test event answered', {
        eventId,
        webhookName,
        signed: identity.ok,
      });
      return answer(200, { status: 'ignored', eventId }, 'ignored', tenant?.contextIdentifier);
    }
    if (!identity.ok) {
      named ??= decoded && contextIdentifierOf(decoded);
      return reject(new WebhookRejection('unauthorized', identity.message));
    }
    const ctx = identity.tenant.contextIdentifier;
    // Always decoded here: authenticated.
    const result = parsed ?? validateWebhookEvent(decoded ?? decodeJsonBody(rawBody));
    if (!result.ok)
      return reject(new WebhookRejection('bad_request', result.message), undefined, ctx);
    const event = result.event;
    const eventId = event.EventId;

    if (!sameTenant(event.ContextIdentifier, ctx)) {
      const message = byPath
        ? `ContextIdentifier ${event.ContextIdentifier} does not match the tenant in the path`
        : `ContextIdentifier ${event.ContextIdentifier} is not this connector's tenant`;
      return reject(new WebhookRejection('forbidden', message), eventId, ctx);
    }

    let outcome;
    try {
      outcome = await deps.accept({
        // The registry's spelling: one tenant is one name in job data, dedup ids and metrics.
        tenant: ctx,
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
        ctx,
      );
    }
    // One access-log line per delivery at winston's `http` level (LOG_LEVEL=http shows them);
    // refusals, spooling and failures are logged at warn or above on their own.
    deps.logger.http('webhook received', {
      eventId,
      outcome,
      event: event.Event,
      primaryKey: event.PrimaryKey,
      tenant: ctx,
      authenticatedBy: identity.method,
    });
    return answer(200, { status: outcome, eventId }, outcome, ctx);
  };

  // Mounted on the app itself, not a nested Router: one routing layer less on the hot path.
  for (const path of WEBHOOK_PATHS) app.post(path, (req, res) => handle(req, res, false));
  // A segment that can never be a ContextIdentifier (`..`, `%2e%2e`, `a.b`) is no route at all: a
  // rule of syntax, the same for every deployment, so the 404 tells nothing about its tenants.
  app.post(TENANT_WEBHOOK_PATH, (req: Request, res: Response, next: NextFunction) =>
    CONTEXT_IDENTIFIER.test(String(req.params.contextIdentifier)) ? handle(req, res, true) : next(),
  );
}
