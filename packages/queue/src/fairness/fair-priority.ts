/**
 * Fairness between tenants on shared queues (docs/architecture.md "Fairness and budgets").
 * BullMQ runs jobs without a priority before any prioritised job, lower numbers first, FIFO within
 * one number (docs.bullmq.io "Prioritized"). A tenant within its quiet rate adds its jobs without a
 * priority; a tenant above it adds them with a priority that grows with the size of its flood, so a
 * flood waits behind every quiet tenant's work (and a bigger flood behind a smaller one), but
 * still ahead of backfills (BACKFILL_PRIORITY).
 */

/** The lowest priority a flood gets: still ahead of a backfill's 100. */
export const MAX_FLOOD_PRIORITY = 50;

/**
 * The BullMQ priority for a tenant's next job, from its events in the last window: undefined (no
 * priority: the normal FIFO) up to `quietLimit`, then 1 + log2(count / quietLimit), capped; always
 * undefined while the queue serves fewer than two `tenants`.
 */
export function fairPriority(count: number, quietLimit: number, tenants = 2): number | undefined {
  // With one tenant there is no one to be fair to: its jobs keep the plain FIFO (and the cheaper add).
  if (tenants < 2 || !(count > quietLimit) || quietLimit <= 0) return undefined;
  return Math.min(MAX_FLOOD_PRIORITY, 1 + Math.floor(Math.log2(count / quietLimit)));
}

/**
 * A tenant's events a minute up to which its jobs get no priority (the normal FIFO): about what a
 * busy team editing a CRM causes, far below a mass update or an import. Every job of a tenant above
 * it waits behind every job of the tenants below it, so it is kept low: the first events of a flood,
 * before its count passes the limit, go into the FIFO among the quiet tenants' jobs and hold them up
 * for as long as the workers take to run them (benchmark 8, `node bench/dist/tenants.bench.js
 * --quick`: at 600 a minute, the first 600 enrichments of a 5,000-event flood kept the quiet
 * tenants' enrichments waiting 21 s in so-enrich at the median; at 30, 0.2 s).
 */
export const DEFAULT_QUIET_EVENTS_PER_MINUTE = 30;
