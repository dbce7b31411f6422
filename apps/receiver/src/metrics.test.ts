import { createReceiverMetrics, UNKNOWN_TENANT_LABEL } from './metrics';

const served = new Set(['Cust1', 'Cust2']);
const sut = () =>
  createReceiverMetrics(() => 0, { defaultMetrics: false, isServed: (ctx) => served.has(ctx) });

async function requestSeries(metrics: ReturnType<typeof sut>): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text.split('\n').filter((line) => line.startsWith('so_receiver_webhook_requests_total{'));
}

describe('receiver metrics: the tenant label', () => {
  it('labels served tenants by name and everything else as one fixed `unknown`', async () => {
    const metrics = sut();
    metrics.observeRequest('accepted', 'Cust1', 0.01);
    metrics.observeRequest('accepted', 'Cust1', 0.01);
    metrics.observeRequest('unauthorized', undefined, 0.01);
    // A name the registry does not serve (a guess, a removed tenant) never gets a series.
    for (let i = 0; i < 50; i++) metrics.observeRequest('ignored', `Guess${i}`, 0.01);
    expect(await requestSeries(metrics)).toEqual([
      'so_receiver_webhook_requests_total{outcome="accepted",tenant="Cust1"} 2',
      `so_receiver_webhook_requests_total{outcome="unauthorized",tenant="${UNKNOWN_TENANT_LABEL}"} 1`,
      `so_receiver_webhook_requests_total{outcome="ignored",tenant="${UNKNOWN_TENANT_LABEL}"} 50`,
    ]);
  });

  it('drops every series of a tenant that is no longer served, and no other', async () => {
    const metrics = sut();
    metrics.observeRequest('accepted', 'Cust1', 0.01);
    metrics.observeRequest('bad_request', 'Cust1', 0.01);
    metrics.observeRequest('accepted', 'Cust2', 0.01);
    metrics.observeRequest('unauthorized', undefined, 0.01);
    metrics.forgetTenants(['Cust1', 'NeverSeen']);
    expect(await requestSeries(metrics)).toEqual([
      'so_receiver_webhook_requests_total{outcome="accepted",tenant="Cust2"} 1',
      `so_receiver_webhook_requests_total{outcome="unauthorized",tenant="${UNKNOWN_TENANT_LABEL}"} 1`,
    ]);
  });
});

describe('receiver metrics: QUEUE_PARTITIONS mismatch', () => {
  const gauge = async (metrics: ReturnType<typeof sut>) =>
    (await metrics.registry.metrics())
      .split('\n')
      .find((line) => line.startsWith('so_receiver_queue_partitions_mismatch '));

  it('is 0 until a mismatch is reported, 1 while it lasts', async () => {
    const metrics = sut();
    expect(await gauge(metrics)).toBe('so_receiver_queue_partitions_mismatch 0');
    metrics.partitionCountMismatch(true);
    expect(await gauge(metrics)).toBe('so_receiver_queue_partitions_mismatch 1');
    metrics.partitionCountMismatch(false);
    expect(await gauge(metrics)).toBe('so_receiver_queue_partitions_mismatch 0');
  });
});
