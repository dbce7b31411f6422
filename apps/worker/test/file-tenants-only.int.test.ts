import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { startWorkerForTest, UDF, type WorkerUnderTest } from './worker-harness';

// A worker whose only tenant comes from TENANTS_FILE: no SO_CONTEXT_IDENTIFIER, SO_REFRESH_TOKEN,
// SO_API_BASE_URL or SO_UDF_* in the environment, only the app identity (issue 12).
const HUMAN = 5;
let redis: TestRedis;
let sut: WorkerUnderTest;

beforeAll(async () => {
  redis = await useTestRedis();
  sut = await startWorkerForTest({ redisUrl: redis.url, prefix: redis.prefix, tenantsFile: true });
});
afterAll(async () => {
  try {
    await sut?.close();
  } finally {
    await redis.cleanup();
  }
});

describe('a worker with only TENANTS_FILE', () => {
  it('serves the file tenant and no environment tenant', () => {
    const registry = sut.worker.tenants.registry;
    expect(registry.list().map((t) => t.contextIdentifier)).toEqual(['Cust12345']);
    expect(registry.sourceOf('Cust12345')).toBe('file');
    // No environment tenant: nothing was built at start-up for one.
    expect(sut.worker.client).toBeUndefined();
  });

  it("enriches the file tenant's change with its own credentials and UDF map", async () => {
    const company = { Name: 'Fjordvind Kraft AS', Domains: ['fjordvind.no'] };
    const description = 'Offshore wind farms and power trading for Norwegian utilities.';
    const created = sut.sim.createAs(HUMAN, 'contact', { ...company, Description: description });
    const id = created.ContactId as number;
    await sut.settled();

    const udfs = sut.sim.state.get('contact', id)!.UserDefinedFields as Record<string, string>;
    expect(udfs[UDF.vertical]).toBe('[I:6]');
    expect(udfs[UDF.summary]).toContain(company.Name);
    expect(sut.sim.counters.get('PATCH Contact/{id}')).toBe(1);
    const [run] = await sut.runs.runsForAccount('Cust12345', id);
    expect(run).toMatchObject({ status: 'COMPLETED', accountName: company.Name });
  });
});
