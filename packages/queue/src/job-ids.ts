import type { WebhookEvent } from './payloads';

/**
 * The `so-events` job id: the webhook's EventId, so a redelivery of the same event (SuperOffice
 * retries within a cycle with the same EventId) finds the job that already exists. Lower-cased so
 * that two spellings of one GUID are one job.
 */
export function eventJobId(event: Pick<WebhookEvent, 'EventId'>): string {
  return event.EventId.toLowerCase();
}

/**
 * The `so-enrich` deduplication id: one pending enrichment per record, `{tenant}:{entity}:{id}`
 * (DESIGN.md). Not a jobId, so it may contain ':'.
 */
export function enrichDedupId(
  tenant: string,
  entity: 'contact' | 'person',
  recordId: number,
): string {
  return `${tenant}:${entity}:${recordId}`;
}
