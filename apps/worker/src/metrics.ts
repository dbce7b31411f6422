import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import type { EnrichmentProvider } from '@so-connector/enrichment';
import type { CallRecord } from '@so-connector/superoffice-client';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EnrichOutcome, EventOutcome } from './outcomes';

/** A scrape leaves the queue depths out rather than wait longer than this for Redis. */
const QUEUE_COUNT_DEADLINE_MS = 1000;

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('deadline')), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface WorkerMetrics {
  readonly registry: Registry;
  eventHandled(tenant: string, outcome: EventOutcome): void;
  enrichmentFinished(tenant: string, outcome: EnrichOutcome, receivedAt: string | undefined): void;
  enrichmentFailed(tenant: string, final: boolean): void;
  /** A SuperOffice call of `tenant` (default: the worker's tenant). */
  superOfficeCall(call: CallRecord, tenant?: string): void;
  watchdogAlert(tenant: string, state: string): void;
  reconciled(tenant: string, enqueued: number): void;
  /** Wraps a provider so every call is counted and timed. */
  instrument(provider: EnrichmentProvider, tenant?: string): EnrichmentProvider;
  /** Queue depths are read from Redis when scraped. */
  watchQueues(queues: readonly Queue[]): void;
  /**
   * Whether a contextIdentifier is a tenant this deployment serves now: only those get a `tenant`
   * label of their own (a removed tenant's leftover jobs count as `unknown`), so the number of
   * series is bounded by the registry. Default: every tenant is served.
   */
  serveOnly(isServed: (contextIdentifier: string) => boolean): void;
  /** Drops every series of tenants the registry no longer serves. */
  forgetTenants(contextIdentifiers: readonly string[]): Promise<void>;
}

/** The `tenant` label of jobs whose tenant this deployment does not serve (any more). */
export const UNKNOWN_TENANT_LABEL = 'unknown';

/** The worker's Prometheus metrics (one registry per worker instance, so tests never share). */
export function createWorkerMetrics(
  tenant: string,
  options: { defaultMetrics?: boolean } = {},
): WorkerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'so_worker_' });
  const registers = [registry];
  const events = new Counter({
    name: 'so_worker_events_total',
    help: 'Events handled by the events stage, by decision (scheduled | skipped) and reason',
    labelNames: ['tenant', 'decision', 'reason'] as const,
    registers,
  });
  const enrichments = new Counter({
    name: 'so_worker_enrichments_total',
    help: 'Enrichment jobs finished, by outcome (written | unchanged | skipped | retry | failed)',
    labelNames: ['tenant', 'outcome'] as const,
    registers,
  });
  const providerCalls = new Counter({
    name: 'so_worker_provider_calls_total',
    help: 'Enrichment provider calls, by provider, method and result (ok | error)',
    labelNames: ['tenant', 'provider', 'method', 'result'] as const,
    registers,
  });
  const providerLatency = new Histogram({
    name: 'so_worker_provider_latency_seconds',
    help: 'Enrichment provider call latency',
    labelNames: ['provider', 'method'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const soCalls = new Counter({
    name: 'so_worker_superoffice_calls_total',
    help: 'SuperOffice API calls, by method and HTTP status (0 = no answer)',
    labelNames: ['tenant', 'method', 'status'] as const,
    registers,
  });
  const soLatency = new Histogram({
    name: 'so_worker_superoffice_latency_seconds',
    help: 'SuperOffice API call latency',
    labelNames: ['method'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const endToEnd = new Histogram({
    name: 'so_worker_end_to_end_seconds',
    help: 'From the receiver accepting the first webhook of a debounce window to the write-back',
    labelNames: ['tenant'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 300],
    registers,
  });
  const alerts = new Counter({
    name: 'so_worker_webhook_alerts_total',
    help: 'Connector webhooks found not Active and re-activated by the watchdog, by state found',
    labelNames: ['tenant', 'state'] as const,
    registers,
  });
  const reconciled = new Counter({
    name: 'so_worker_reconcile_enqueued_total',
    help: 'Enrichments enqueued by reconciliation sweeps',
    labelNames: ['tenant'] as const,
    registers,
  });
  let isServed: (contextIdentifier: string) => boolean = () => true;
  const label = (t: string) => (isServed(t) ? t : UNKNOWN_TENANT_LABEL);
  const perTenant = [events, enrichments, providerCalls, soCalls, endToEnd, alerts, reconciled];
  const watched: Queue[] = [];
  new Gauge({
    name: 'so_queue_jobs',
    help: 'Jobs per queue and state, read from Redis at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const queue of watched) {
        // The worker's connection waits for Redis for ever; a scrape must not.
        const counts = await withDeadline(
          queue.getJobCounts(
            'waiting',
            'delayed',
            'active',
            'failed',
            'prioritized',
            'waiting-children',
          ),
          QUEUE_COUNT_DEADLINE_MS,
        ).catch(() => undefined);
        if (!counts) continue;
        for (const [state, count] of Object.entries(counts))
          // Partitions of one queue (QUEUE_PARTITIONS) add up under its name.
          this.inc({ queue: queue.name, state }, count);
      }
    },
  });

  const timedCall = async <T>(
    t: string,
    method: string,
    name: string,
    call: () => Promise<T>,
  ): Promise<T> => {
    const stop = providerLatency.startTimer({ provider: name, method });
    try {
      const value = await call();
      providerCalls.inc({ tenant: label(t), provider: name, method, result: 'ok' });
      return value;
    } catch (error) {
      providerCalls.inc({ tenant: label(t), provider: name, method, result: 'error' });
      throw error;
    } finally {
      stop();
    }
  };

  return {
    registry,
    eventHandled(t, outcome) {
      events.inc({
        tenant: label(t),
        decision: outcome.outcome,
        reason: outcome.outcome === 'skipped' ? outcome.reason : 'relevant',
      });
    },
    enrichmentFinished(t, outcome, receivedAt) {
      enrichments.inc({ tenant: label(t), outcome: outcome.outcome });
      const started = receivedAt ? Date.parse(receivedAt) : Number.NaN;
      if (outcome.outcome === 'written' && !Number.isNaN(started))
        endToEnd.observe({ tenant: label(t) }, Math.max(0, Date.now() - started) / 1000);
    },
    enrichmentFailed(t, final) {
      enrichments.inc({ tenant: label(t), outcome: final ? 'failed' : 'retry' });
    },
    superOfficeCall(call, t = tenant) {
      soCalls.inc({
        tenant: label(t),
        method: call.method.toUpperCase(),
        status: String(call.status ?? 0),
      });
      soLatency.observe({ method: call.method.toUpperCase() }, call.durationMs / 1000);
    },
    watchdogAlert(t, state) {
      alerts.inc({ tenant: label(t), state });
    },
    reconciled(t, enqueued) {
      reconciled.inc({ tenant: label(t) }, enqueued);
    },
    instrument(provider, t = tenant) {
      return {
        name: provider.name,
        enrichCompany: (company, context) =>
          timedCall(t, 'enrichCompany', provider.name, () =>
            provider.enrichCompany(company, context),
          ),
        personOpener: (person, company) =>
          timedCall(t, 'personOpener', provider.name, () => provider.personOpener(person, company)),
      };
    },
    watchQueues(queues) {
      watched.push(...queues);
    },
    serveOnly(predicate) {
      isServed = predicate;
    },
    async forgetTenants(contextIdentifiers) {
      const gone = new Set(contextIdentifiers);
      for (const metric of perTenant) {
        const { values } = await metric.get();
        const series = new Map<string, Record<string, string | number>>();
        for (const { labels } of values) {
          if (!gone.has(String(labels.tenant))) continue;
          // A histogram's bucket lines carry `le`; the series is the rest of its labels.
          const { le: _bucket, ...own } = labels as Record<string, string | number>;
          series.set(JSON.stringify(own), own);
        }
        for (const own of series.values()) metric.remove(own as never);
      }
    },
  };
}

/** `GET /metrics` (Prometheus text) and `GET /healthz` on their own port. */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host = '0.0.0.0',
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'Content-Type': registry.contentType });
          res.end(text);
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
        });
      return;
    }
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found: the worker serves GET /metrics and GET /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
