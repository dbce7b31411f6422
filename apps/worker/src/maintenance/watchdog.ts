import type { Queue } from 'bullmq';
import type { Logger } from '@so-connector/logger';
import { MAINTENANCE_JOB_NAMES, type MaintenanceJobData } from '@so-connector/queue';
import {
  isConnectorWebhook,
  type SuperOfficeClient,
  type Webhook,
} from '@so-connector/superoffice-client';
import type { WebhookHealthStore, WebhookStatus } from '@so-connector/sync-runs';
import { RECONCILE_OVERLAP_MS } from './reconcile';

export interface WatchdogDeps {
  readonly client: SuperOfficeClient;
  readonly health: WebhookHealthStore;
  readonly maintenanceQueue: Queue<MaintenanceJobData>;
  readonly tenant: string;
  /** The receiver's public URL; identifies the connector's webhooks (else by Name). */
  readonly webhookUrl: string | undefined;
  /** Reconciliation reaches back this far when no healthy check is on record. */
  readonly fallbackWindowMs: number;
  readonly logger: Logger;
  /** Called once per re-activated webhook (metrics). */
  readonly onAlert?: (state: string) => void;
  readonly now?: () => number;
}

export interface WatchdogOutcome {
  readonly checked: number;
  readonly reactivated: readonly number[];
  /** Parked webhooks left parked because their target did not answer the test ping. */
  readonly held?: readonly number[];
  /** The reconciliation started for the gap, if any. */
  readonly reconcileSince?: string;
}

const HEALTHY = 'Active';

function statusOf(webhook: Webhook, lastError?: string): WebhookStatus {
  return {
    id: webhook.WebhookId,
    name: webhook.Name ?? '',
    state: webhook.State ?? 'Unknown',
    targetUrl: webhook.TargetUrl ?? '',
    events: [...(webhook.Events ?? [])],
    ...(lastError ? { lastError } : {}),
  };
}

/** The target's answer, shortened: SuperOffice's Message holds its response headers and body. */
const MESSAGE_LIMIT = 300;

type TargetCheck =
  { readonly answers: true } | { readonly answers: false; readonly reason: string };

/**
 * Does the webhook's TargetUrl answer? SuperOffice itself pings it with a `test` event
 * (`POST /Webhook/Test`), over the same network path, TLS and proxy as its deliveries. Undefined
 * when SuperOffice could not be asked: then the check cannot hold the re-activation back.
 */
async function checkTarget(deps: WatchdogDeps, webhook: Webhook): Promise<TargetCheck | undefined> {
  try {
    const result = await deps.client.testWebhook(webhook);
    if (result.Success) return { answers: true };
    const message = (result.Message ?? '').replace(/\s+/g, ' ').trim().slice(0, MESSAGE_LIMIT);
    return {
      answers: false,
      reason: `the target did not answer SuperOffice's test ping${message ? `: ${message}` : ''}`,
    };
  } catch (error) {
    deps.logger.warn(
      'webhook watchdog: could not ask SuperOffice to test the target; re-activating',
      {
        tenant: deps.tenant,
        webhookId: webhook.WebhookId,
        error: error instanceof Error ? error.message : String(error),
      },
    );
    return undefined;
  }
}

/** What the watchdog matched webhooks by, for its report. */
function lookedFor(webhookUrl: string | undefined, tenant: string): string {
  if (!webhookUrl) return 'Name so-connector*';
  const shared = webhookUrl.replace(/\/+$/, '');
  return shared.endsWith('/webhooks/superoffice')
    ? `TargetUrl ${shared} or ${shared}/${tenant}`
    : `TargetUrl ${webhookUrl}`;
}

/**
 * The webhook watchdog (`so-maintenance`, every WATCHDOG_INTERVAL_MS). SuperOffice parks a webhook
 * in TooManyErrors after 9 failed deliveries (Stopped after a 410) and never re-activates it
 * itself; every event in between is lost. So: read the connector's webhooks; any that is not Active
 * is logged and its target tested (SuperOffice pings it). While the target does not answer, the
 * webhook stays parked (re-activated, it would be parked again within seconds, and the events of
 * those seconds lost) and the held re-activation is recorded; the next run tests again. Once it
 * answers, the webhook is counted as an alert, set back to Active, and a reconciliation is queued
 * for the time since the last check that found them healthy. What was seen is stored for the
 * dashboard.
 */
export function createWatchdog(deps: WatchdogDeps) {
  const now = deps.now ?? Date.now;
  return async (): Promise<WatchdogOutcome> => {
    const checkedAt = new Date(now()).toISOString();
    const previous = await deps.health.read(deps.tenant);
    const base = {
      tenant: deps.tenant,
      checkedAt,
      alerts: previous?.alerts ?? 0,
      ...(previous?.lastAlert ? { lastAlert: previous.lastAlert } : {}),
      ...(previous?.lastHealthyAt ? { lastHealthyAt: previous.lastHealthyAt } : {}),
    };
    let webhooks: Webhook[];
    try {
      webhooks = (await deps.client.listWebhooks()).filter((w) =>
        isConnectorWebhook(w, deps.webhookUrl, deps.tenant),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await deps.health.write({
        ...base,
        webhooks: previous?.webhooks ?? [],
        checkError: message,
      });
      throw error;
    }
    if (webhooks.length === 0) {
      deps.logger.warn('webhook watchdog: no connector webhook is registered in SuperOffice', {
        tenant: deps.tenant,
        matching: deps.webhookUrl ?? 'Name so-connector*',
      });
      await deps.health.write({
        ...base,
        webhooks: [],
        checkError: `no connector webhook registered (looked for ${lookedFor(deps.webhookUrl, deps.tenant)})`,
      });
      return { checked: 0, reactivated: [] };
    }

    const statuses: WebhookStatus[] = [];
    const reactivated: number[] = [];
    let alerts = base.alerts;
    let lastAlert = base.lastAlert;
    const held: number[] = [];
    for (const webhook of webhooks) {
      if (webhook.State === HEALTHY) {
        statuses.push(statusOf(webhook));
        continue;
      }
      const state = webhook.State ?? 'Unknown';
      const lastError = await deps.client
        .getWebhookLastError(webhook.WebhookId)
        .catch((error: unknown) => `(could not read LastError: ${String(error)})`);
      const target = await checkTarget(deps, webhook);
      if (target?.answers === false) {
        const before = previous?.webhooks.find((w) => w.id === webhook.WebhookId)?.reactivationHeld;
        const reactivationHeld = {
          at: checkedAt,
          since: before?.since ?? checkedAt,
          checks: (before?.checks ?? 0) + 1,
          reason: target.reason,
        };
        deps.logger.error(
          'webhook watchdog: connector webhook is not Active and its target does not answer; left parked until it does',
          {
            tenant: deps.tenant,
            webhookId: webhook.WebhookId,
            state,
            lastError,
            reason: target.reason,
            heldSince: reactivationHeld.since,
            checks: reactivationHeld.checks,
          },
        );
        held.push(webhook.WebhookId);
        statuses.push({ ...statusOf(webhook), lastError, reactivationHeld });
        continue;
      }
      deps.logger.error('webhook watchdog: connector webhook is not Active; re-activating', {
        tenant: deps.tenant,
        webhookId: webhook.WebhookId,
        state,
        lastError,
      });
      deps.onAlert?.(state);
      alerts++;
      lastAlert = { at: checkedAt, webhookId: webhook.WebhookId, state, error: lastError };
      const active = await deps.client.activateWebhook(webhook.WebhookId);
      reactivated.push(webhook.WebhookId);
      statuses.push({ ...statusOf(active), lastError });
    }
    const allActive = statuses.every((s) => s.state === HEALTHY);
    let reconcileSince: string | undefined;
    if (reactivated.length > 0) {
      // Events SuperOffice dropped since the last healthy check are recovered by a sweep.
      const from = previous?.lastHealthyAt
        ? Date.parse(previous.lastHealthyAt)
        : now() - deps.fallbackWindowMs;
      reconcileSince = new Date(from - RECONCILE_OVERLAP_MS).toISOString();
      await deps.maintenanceQueue.add(
        MAINTENANCE_JOB_NAMES.reconcile,
        { tenant: deps.tenant, since: reconcileSince, trigger: 'watchdog' },
        {
          jobId: `reconcile-after-reactivation-${Date.parse(checkedAt)}`,
          removeOnComplete: { count: 100 },
          removeOnFail: { count: 100 },
        },
      );
      deps.logger.info('webhook watchdog: reconciliation queued for the gap', {
        tenant: deps.tenant,
        since: reconcileSince,
      });
    }
    await deps.health.write({
      ...base,
      alerts,
      ...(lastAlert ? { lastAlert } : {}),
      webhooks: statuses,
      ...(allActive ? { lastHealthyAt: checkedAt } : {}),
    });
    return {
      checked: webhooks.length,
      reactivated,
      ...(held.length > 0 ? { held } : {}),
      ...(reconcileSince ? { reconcileSince } : {}),
    };
  };
}
