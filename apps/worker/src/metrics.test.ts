import { createWorkerMetrics, UNKNOWN_TENANT_LABEL } from './metrics';

describe('worker metrics: tenant labels', () => {
  const seriesOf = async (metrics: ReturnType<typeof createWorkerMetrics>) =>
    (await metrics.registry.metrics())
      .split('\n')
      .filter((line) => line.startsWith('so_worker_') && line.includes('tenant='));

  it('labels only served tenants; the rest count as unknown', async () => {
    const metrics = createWorkerMetrics('A', { defaultMetrics: false });
    metrics.serveOnly((ctx) => ctx === 'A' || ctx === 'B');
    metrics.eventHandled('A', { outcome: 'scheduled', job: '1', matched: ['name'] });
    metrics.eventHandled('Gone', { outcome: 'skipped', reason: 'tenant-unknown', detail: '' });
    metrics.eventHandled('Gone2', { outcome: 'skipped', reason: 'tenant-unknown', detail: '' });
    const series = await seriesOf(metrics);
    expect(series).toContain(
      'so_worker_events_total{tenant="A",decision="scheduled",reason="relevant"} 1',
    );
    expect(series).toContain(
      `so_worker_events_total{tenant="${UNKNOWN_TENANT_LABEL}",decision="skipped",reason="tenant-unknown"} 2`,
    );
    expect(series.some((line) => line.includes('Gone'))).toBe(false);
  });

  it("drops every series of a removed tenant, histograms included, and keeps the others'", async () => {
    const metrics = createWorkerMetrics('A', { defaultMetrics: false });
    const receivedAt = new Date(Date.now() - 1500).toISOString();
    for (const t of ['A', 'B']) {
      metrics.enrichmentFinished(
        t,
        { outcome: 'written', fields: ['x'], providerCalled: true },
        receivedAt,
      );
      metrics.superOfficeCall({ method: 'get', path: '/x', status: 200, durationMs: 5 }, t);
      metrics.reconciled(t, 3);
    }
    await metrics.forgetTenants(['B', 'NeverSeen']);
    const series = await seriesOf(metrics);
    expect(series.filter((line) => line.includes('tenant="B"'))).toEqual([]);
    expect(series).toContain('so_worker_end_to_end_seconds_count{tenant="A"} 1');
    expect(series).toContain('so_worker_reconcile_enqueued_total{tenant="A"} 3');
    expect(series.filter((line) => line.includes('tenant="A"')).length).toBeGreaterThan(3);
  });
});
