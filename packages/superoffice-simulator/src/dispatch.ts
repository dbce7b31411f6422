import { randomUUID } from 'node:crypto';
import { signBody } from './sign';
import type { ChangeEvent } from './tenant-types';

export interface SimWebhook {
  WebhookId: number;
  Name: string;
  Events: string[];
  TargetUrl: string;
  Secret: string | null;
  State: 'Unknown' | 'Active' | 'Stopped' | 'TooManyErrors';
  Type: string;
  Headers: Record<string, string> | null;
  Properties: Record<string, unknown> | null;
  ErrorsEmail: string | null;
  Registered: string;
  Updated: string;
  /** Failed attempts in a row; 9 → TooManyErrors (superoffice-api.md 3.1). */
  consecutiveErrors: number;
  lastError: string | null;
}

export interface DeliveryRecord {
  readonly webhookId: number;
  readonly eventId: string;
  readonly event: string;
  /** 0, 1, 2 within the 3-try cycle. */
  readonly attempt: number;
  readonly status: number | undefined;
  readonly at: number;
}

export interface DispatcherOptions {
  readonly contextIdentifier: string;
  /** Multiplies the documented 1 s and 4 s waits; tests use a small factor. */
  readonly retryScale: number;
  readonly timeoutMs: number;
}

/** Documented retry rule: 3 tries per cycle, 1 s then 4 s apart; then the event is dropped. */
export const RETRY_DELAYS_MS = [0, 1000, 4000] as const;
/** Consecutive failed attempts after which a webhook is parked in TooManyErrors. */
export const MAX_CONSECUTIVE_ERRORS = 9;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends each change to every Active webhook subscribed to it, as SuperOffice does: signed body,
 * its headers, only a 200 counts, 3 tries per cycle, then dropped (the next event has a new
 * EventId), and TooManyErrors after 9 consecutive failed attempts.
 */
export class WebhookDispatcher {
  readonly deliveries: DeliveryRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly webhooks: Map<number, SimWebhook>,
    private readonly options: DispatcherOptions,
  ) {}

  dispatch(change: ChangeEvent): void {
    for (const hook of this.webhooks.values()) {
      if (hook.State !== 'Active' || !hook.Events.includes(change.event)) continue;
      const body = {
        EventId: randomUUID(),
        Timestamp: new Date().toISOString().replace('Z', '0000Z'),
        Changes: change.changes,
        Event: change.event,
        PrimaryKey: change.primaryKey,
        Entity: change.entity,
        ContextIdentifier: this.options.contextIdentifier,
        ChangedByAssociateId: change.changedByAssociateId,
        WebhookName: hook.Name,
        FieldValues: change.fieldValues,
        ...(hook.Properties ?? {}),
      };
      this.track(this.deliverCycle(hook, body));
    }
  }

  /** The registration ping (Event `test`); resolves with the receiver's status. */
  async sendTest(
    hook: Pick<SimWebhook, 'TargetUrl' | 'Secret' | 'Headers' | 'Name'>,
  ): Promise<number | undefined> {
    const body = {
      EventId: randomUUID(),
      Timestamp: new Date().toISOString(),
      Changes: [],
      Event: 'test',
      PrimaryKey: 0,
      Entity: 'test',
      ContextIdentifier: 'Default',
      ChangedByAssociateId: 0,
      WebhookName: hook.Name,
    };
    return this.post(hook, body, 0, { 'X-Hook-Test': 'true' });
  }

  /** Resolves when no delivery is in flight (including pending retries). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private track(promise: Promise<void>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private async deliverCycle(
    hook: SimWebhook,
    body: Record<string, unknown> & { EventId: string; Event: string },
  ): Promise<void> {
    for (let attempt = 0; attempt < RETRY_DELAYS_MS.length; attempt++) {
      if (attempt > 0) await sleep(RETRY_DELAYS_MS[attempt]! * this.options.retryScale);
      if (hook.State !== 'Active') return;
      const status = await this.post(hook, body, attempt);
      this.deliveries.push({
        webhookId: hook.WebhookId,
        eventId: body.EventId,
        event: body.Event,
        attempt,
        status,
        at: Date.now(),
      });
      if (status === 200) {
        hook.consecutiveErrors = 0;
        return;
      }
      hook.consecutiveErrors++;
      hook.lastError = `${body.Event} ${body.EventId}: ${status === undefined ? 'no response' : `HTTP ${status}`}`;
      if (status === 410) {
        hook.State = 'Stopped';
        return;
      }
      if (hook.consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) {
        hook.State = 'TooManyErrors';
        return;
      }
    }
  }

  private async post(
    hook: Pick<SimWebhook, 'TargetUrl' | 'Secret' | 'Headers'>,
    body: Record<string, unknown>,
    retry: number,
    extra: Record<string, string> = {},
  ): Promise<number | undefined> {
    const text = JSON.stringify(body);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': 'NetServer-Webhook/10.3.0 (so-connector simulator)',
      'X-SuperOffice-Event': String(body.Event),
      'X-SuperOffice-EventId': String(body.EventId),
      'X-SuperOffice-Retry': String(retry),
      ...(hook.Headers ?? {}),
      ...extra,
    };
    if (hook.Secret) headers['X-SuperOffice-Signature'] = signBody(text, hook.Secret);
    try {
      const res = await fetch(hook.TargetUrl, {
        method: 'POST',
        headers,
        body: text,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return undefined;
    }
  }
}
