// Benchmark 8's traffic: a human's save in a tenant's simulator (no webhook is registered there),
// then the webhook SuperOffice would send for it, built from the simulator's own change and posted
// signed to the receiver's per-tenant route by this process. The latency of a save runs from that
// POST (the webhook received) to the moment the tenant's simulator stores the connector's PATCH
// carrying the new name in the summary UDF, both on this process's clock.
import { randomUUID } from 'node:crypto';
import type { ChangeEvent, RunningSimulator } from '@so-connector/superoffice-simulator';
import { signWebhookBody } from '@so-connector/testing';
import { sleep } from './bench-common';
import type { BenchTenant } from './tenants-system';
import { TRAFFIC_UDF } from './traffic-system';

export const HUMAN = 5;

/** The body SuperOffice's webhook sends for `change` (as the simulator's dispatcher builds it). */
export function webhookBody(
  contextIdentifier: string,
  change: ChangeEvent,
): Record<string, unknown> {
  return {
    EventId: randomUUID(),
    Timestamp: new Date().toISOString().replace('Z', '0000Z'),
    Changes: change.changes,
    Event: change.event,
    PrimaryKey: change.primaryKey,
    Entity: change.entity,
    ContextIdentifier: contextIdentifier,
    ChangedByAssociateId: change.changedByAssociateId,
    WebhookName: 'so-connector',
    FieldValues: change.fieldValues,
  };
}

/** A human renames company `id` in `sim`; returns the webhook body of that change. */
export function humanRename(
  sim: RunningSimulator,
  contextIdentifier: string,
  id: number,
  name: string,
): Record<string, unknown> {
  let seen: ChangeEvent | undefined;
  const listen = (change: ChangeEvent) => {
    if (change.primaryKey === id && change.changedByAssociateId === HUMAN) seen = change;
  };
  sim.state.on('change', listen);
  try {
    sim.editAs(HUMAN, 'contact', id, { Name: name });
  } finally {
    sim.state.off('change', listen);
  }
  if (!seen) throw new Error(`the simulator of ${contextIdentifier} emitted no change`);
  return webhookBody(contextIdentifier, seen);
}

/** POSTs a webhook body to the receiver's per-tenant route, signed with the tenant's secret. */
export async function postWebhook(
  receiverUrl: string,
  tenant: BenchTenant,
  body: Record<string, unknown>,
): Promise<number> {
  const text = JSON.stringify(body);
  const res = await fetch(`${receiverUrl}/webhooks/superoffice/${tenant.contextIdentifier}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'X-SuperOffice-Event': String(body.Event),
      'X-SuperOffice-EventId': String(body.EventId),
      'X-SuperOffice-Retry': '0',
      'X-SuperOffice-Signature': signWebhookBody(text, tenant.secret),
    },
    body: text,
  });
  await res.arrayBuffer();
  return res.status;
}

/** One measured save: its EventId and when it was posted and written (epoch ms). */
export interface QuietSample {
  readonly eventId: string;
  readonly postedAt: number;
  readonly writtenAt: number;
}

export interface QuietResult {
  readonly saves: number;
  readonly samples: QuietSample[];
  /** ms from the webhook POST to the UDF write, per measured save. */
  readonly latencies: number[];
  /** Saves whose value had not arrived `graceMs` after the last save. */
  readonly missing: number;
  /** Webhooks the receiver did not answer 200. */
  readonly refused: number;
  /** How far behind its schedule the load generator fell at worst (ms). */
  readonly lateMs: number;
}

/**
 * `perSecond` saves a second for `seconds`, round-robin over the quiet tenants (each renames its
 * next company); waits up to `graceMs` for the last values to arrive.
 */
export async function quietTraffic(options: {
  receiverUrl: string;
  tenants: readonly BenchTenant[];
  perSecond: number;
  seconds: number;
  graceMs: number;
  round: { next: number };
}): Promise<QuietResult> {
  const { tenants, perSecond } = options;
  const pending = new Map<string, { marker: string; at: number; eventId: string; epoch: number }>();
  const latencies: number[] = [];
  const samples: QuietSample[] = [];
  const stops = tenants.map((tenant) => {
    const sim = tenant.sim!;
    const onChange = (change: ChangeEvent) => {
      if (change.changedByAssociateId !== sim.state.apiUser.associateId) return;
      if (change.entity !== 'contact') return;
      const key = `${tenant.contextIdentifier}/${change.primaryKey}`;
      const wait = pending.get(key);
      if (!wait) return;
      const udfs = sim.state.get('contact', change.primaryKey)?.UserDefinedFields as
        Record<string, unknown> | undefined;
      const value = udfs?.[TRAFFIC_UDF.summary];
      if (typeof value !== 'string' || !value.includes(wait.marker)) return;
      pending.delete(key);
      latencies.push(performance.now() - wait.at);
      samples.push({ eventId: wait.eventId, postedAt: wait.epoch, writtenAt: Date.now() });
    };
    sim.state.on('change', onChange);
    return () => sim.state.off('change', onChange);
  });
  const ids = tenants.map((t) => t.sim!.state.ids('contact').sort((a, b) => a - b));
  const total = Math.round(options.seconds * perSecond);
  const posts: Promise<void>[] = [];
  let refused = 0;
  let lateMs = 0;
  const start = performance.now();
  try {
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      else lateMs = Math.max(lateMs, -wait);
      const n = options.round.next++;
      const t = n % tenants.length;
      const tenant = tenants[t]!;
      const tenantIds = ids[t]!;
      const id = tenantIds[Math.floor(n / tenants.length) % tenantIds.length]!;
      const marker = `[q${n}]`;
      const current = tenant.sim!.state.get('contact', id)?.Name;
      const name = (typeof current === 'string' ? current : '').replace(/ \[q\d+\]$/, '');
      const body = humanRename(tenant.sim!, tenant.contextIdentifier, id, `${name} ${marker}`);
      const key = `${tenant.contextIdentifier}/${id}`;
      pending.set(key, {
        marker,
        at: performance.now(),
        eventId: String(body.EventId),
        epoch: Date.now(),
      });
      posts.push(
        postWebhook(options.receiverUrl, tenant, body).then(
          (status) => {
            if (status !== 200) refused++;
          },
          () => {
            refused++;
          },
        ),
      );
    }
    await Promise.all(posts);
    const deadline = Date.now() + options.graceMs;
    while (pending.size > 0 && Date.now() < deadline) await sleep(50);
  } finally {
    for (const stop of stops) stop();
  }
  return {
    saves: total,
    samples,
    latencies,
    missing: pending.size,
    refused,
    lateMs: Math.round(lateMs),
  };
}
