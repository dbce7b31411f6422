/**
 * The decisions about QUEUE_PARTITIONS against the count the queues were served with (kept at
 * `{prefix}:queue-partitions`, partition-count.ts): pure, so every case has a unit test.
 */

import { MAX_QUEUE_PARTITIONS } from '@so-connector/config';

export { MAX_QUEUE_PARTITIONS };

/**
 * The recorded count: no key is 1 (queues written before partitions existed, or a deployment at
 * the default, which never writes it); anything but a whole number 1…MAX is `undefined` (edited
 * by hand: nobody could have served it).
 */
export function parseRecordedPartitions(raw: string | null): number | undefined {
  if (raw === null) return 1;
  const parsed = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  return Number.isInteger(parsed) && parsed >= 1 && parsed <= MAX_QUEUE_PARTITIONS
    ? parsed
    : undefined;
}

/**
 * A receiver's (or a running worker's) check: undefined when the count it is configured with is
 * the one recorded, else the error to log. A receiver at 8 with nothing recorded (= 1) queues 7/8
 * of the tenants' events where a worker at 1 never looks.
 */
export function partitionCountMismatch(raw: string | null, configured: number): string | undefined {
  const recorded = parseRecordedPartitions(raw);
  if (recorded === configured) return undefined;
  const served =
    recorded === undefined
      ? `the recorded count is not one (${JSON.stringify(raw)})`
      : `the workers serve ${recorded} partition(s)`;
  return `QUEUE_PARTITIONS is ${configured} but ${served}: events of tenants in other partitions wait unserved until QUEUE_PARTITIONS is the same on every receiver and worker (docs/architecture.md "Partitions")`;
}

/**
 * The error for jobs in partitions from `configured` on, where no process at this count looks;
 * undefined when there are none.
 */
export function strandedJobsMessage(configured: number, beyond: number): string | undefined {
  if (beyond === 0) return undefined;
  return `QUEUE_PARTITIONS is ${configured} but partitions from ${configured} on hold ${beyond} unfinished job(s) no worker at ${configured} serves: a receiver or worker runs with a larger QUEUE_PARTITIONS; set the same value everywhere (docs/architecture.md "Partitions")`;
}

/**
 * The error for a count that running workers do not serve (their leases, partition-lease.ts):
 * one count must serve every worker, and a lease outlives a worker that died by `ttlMs`.
 */
export function servedElsewhereMessage(
  configured: number,
  counts: readonly number[],
  ttlMs: number,
): string {
  return `QUEUE_PARTITIONS is ${configured} but running workers serve ${counts.join(' and ')} partition(s): set the same QUEUE_PARTITIONS on every worker, or stop the others before changing it (a worker that died without stopping holds its lease up to ${Math.ceil(ttlMs / 1000)} s) (docs/architecture.md "Partitions")`;
}

export type PartitionCountDecision =
  | { readonly kind: 'same' }
  /** The queues are drained: record the configured count. */
  | { readonly kind: 'record' }
  | { readonly kind: 'refuse'; readonly message: string };

/**
 * What a starting worker does. `recorded`: parseRecordedPartitions (undefined = unknown);
 * `below`: unfinished jobs in the partitions under the configured count (read only when the
 * counts differ, else 0); `beyond`: unfinished jobs in the partitions from the configured count up
 * to the max, read on every start, failed ones included (no worker at this count looks there).
 */
export function decidePartitionCount(
  recorded: number | undefined,
  configured: number,
  below: number,
  beyond: number,
): PartitionCountDecision {
  const fix = `(docs/architecture.md "Partitions")`;
  if (recorded !== configured && below + beyond > 0)
    return {
      kind: 'refuse',
      message: `QUEUE_PARTITIONS is ${configured} but the queues were served with ${recorded ?? 'an unknown count'} and still hold ${below + beyond} unfinished job(s): stop the receivers, let the workers (at ${recorded ?? 'the old count'}) drain so-events and so-enrich, then change it ${fix}`,
    };
  const stranded = strandedJobsMessage(configured, beyond);
  if (stranded !== undefined) return { kind: 'refuse', message: stranded };
  if (recorded === configured) return { kind: 'same' };
  return { kind: 'record' };
}
