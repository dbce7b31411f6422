import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { REJECTION_STATUS, type RejectionKind } from './http-errors';

/** The answers that are not refusals (the refusals are http-errors.ts's REJECTION_STATUS). */
const ANSWERED_OUTCOMES = ['accepted', 'duplicate', 'spooled', 'ignored'] as const;

export type RequestOutcome = (typeof ANSWERED_OUTCOMES)[number] | RejectionKind;

export const REQUEST_OUTCOMES: readonly RequestOutcome[] = [
  ...ANSWERED_OUTCOMES,
  ...(Object.keys(REJECTION_STATUS) as RejectionKind[]),
];

/** The `tenant` label of every request not authenticated for a tenant this deployment serves. */
export const UNKNOWN_TENANT_LABEL = 'unknown';

export interface ReceiverMetrics {
  readonly registry: Registry;
  /**
   * Records one answered webhook request. `tenant`: the contextIdentifier (as the registry spells
   * it) of the served tenant the request authenticated for; anything else counts as `unknown`.
   */
  observeRequest(outcome: RequestOutcome, tenant: string | undefined, seconds: number): void;
  /** Drops the series of tenants the registry no longer serves. */
  forgetTenants(contextIdentifiers: readonly string[]): void;
  spoolDrained(count: number): void;
  /** Whether QUEUE_PARTITIONS differs from what the workers serve (partitionCountProblem). */
  partitionCountMismatch(mismatched: boolean): void;
}

export interface ReceiverMetricsOptions {
  readonly defaultMetrics?: boolean;
  /**
   * Whether a contextIdentifier is a tenant this deployment serves right now (exact spelling).
   * Only those get a label of their own, so the number of series is bounded by the registry.
   */
  readonly isServed: (contextIdentifier: string) => boolean;
}

/** A registry of the receiver's own (one per app instance, so tests never share counters). */
export function createReceiverMetrics(
  spoolDepth: () => number,
  options: ReceiverMetricsOptions,
): ReceiverMetrics {
  const { isServed } = options;
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'so_receiver_' });
  const requests = new Counter({
    name: 'so_receiver_webhook_requests_total',
    help: 'Webhook requests answered, by outcome and tenant (served tenants only; the rest: unknown)',
    labelNames: ['outcome', 'tenant'] as const,
    registers: [registry],
  });
  const ackLatency = new Histogram({
    name: 'so_receiver_webhook_ack_seconds',
    help: 'Time from request start to the answer, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'so_receiver_spool_depth',
    help: 'Events waiting in the disk spool for Redis',
    registers: [registry],
    collect() {
      this.set(spoolDepth());
    },
  });
  const drained = new Counter({
    name: 'so_receiver_spool_drained_total',
    help: 'Spooled events moved into Redis',
    registers: [registry],
  });
  const partitionMismatch = new Gauge({
    name: 'so_receiver_queue_partitions_mismatch',
    help: "1 while this receiver's QUEUE_PARTITIONS differs from the count the workers serve, or work waits in partitions past it (docs/architecture.md Partitions)",
    registers: [registry],
  });
  partitionMismatch.set(0);
  return {
    registry,
    partitionCountMismatch(mismatched) {
      partitionMismatch.set(mismatched ? 1 : 0);
    },
    observeRequest(outcome, tenant, seconds) {
      const label = tenant !== undefined && isServed(tenant) ? tenant : UNKNOWN_TENANT_LABEL;
      requests.inc({ outcome, tenant: label });
      ackLatency.observe({ outcome }, seconds);
    },
    forgetTenants(contextIdentifiers) {
      for (const tenant of contextIdentifiers) {
        for (const outcome of REQUEST_OUTCOMES) requests.remove({ outcome, tenant });
      }
    },
    spoolDrained(count) {
      drained.inc(count);
    },
  };
}
