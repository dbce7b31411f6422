import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type RequestOutcome =
  | 'accepted'
  | 'duplicate'
  | 'spooled'
  | 'ignored'
  | 'unauthorized'
  | 'bad_request'
  | 'forbidden'
  | 'not_found'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unavailable'
  | 'internal';

export interface ReceiverMetrics {
  readonly registry: Registry;
  /** Records one answered webhook request. */
  observeRequest(outcome: RequestOutcome, tenant: string, seconds: number): void;
  spoolDrained(count: number): void;
}

/** A registry of the receiver's own (one per app instance, so tests never share counters). */
export function createReceiverMetrics(
  spoolDepth: () => number,
  options: { defaultMetrics?: boolean } = {},
): ReceiverMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'so_receiver_' });
  const requests = new Counter({
    name: 'so_receiver_webhook_requests_total',
    help: 'Webhook requests answered, by outcome and tenant',
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
  return {
    registry,
    observeRequest(outcome, tenant, seconds) {
      requests.inc({ outcome, tenant });
      ackLatency.observe({ outcome }, seconds);
    },
    spoolDrained(count) {
      drained.inc(count);
    },
  };
}
