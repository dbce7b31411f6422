import { startFakeCompanyExplorer, type FakeCompanyExplorer } from './company-explorer-fake';
import { assertInvariant } from './invariant';
import { startFaultRunOn, WITH_RECONCILIATION, type FaultRun } from './harness';
import { ReferenceTenant } from './reference';
import { useTopologyRedis, TOPOLOGIES } from '../topologies';

// ENRICHMENT_PROVIDER=company-explorer against a local server that misbehaves for the first
// requests of every distinct input (timeouts, 500s, malformed JSON), then answers. On one
// redis-server, a 6-node Redis Cluster and a Sentinel setup (issue 13).
let explorer: FakeCompanyExplorer;
let reference: ReferenceTenant;
let run: FaultRun | undefined;
const providerEnv = (key: string) => ({
  ENRICHMENT_PROVIDER: 'company-explorer',
  COMPANY_EXPLORER_URL: explorer.url,
  COMPANY_EXPLORER_API_KEY: key,
  PROVIDER_TIMEOUT_MS: '500',
});
beforeAll(async () => {
  explorer = await startFakeCompanyExplorer();
  reference = new ReferenceTenant(providerEnv('clean'));
});
afterEach(async () => {
  await run?.system.stop();
  run = undefined;
});
afterAll(async () => {
  await reference.stop();
  await explorer.close();
});

describe.each(TOPOLOGIES)('enrichment provider faults, %s Redis', (topology) => {
  const topologyRedis = useTopologyRedis(topology);

  it('timeouts and 500s from the provider are retried until every change is enriched', async () => {
    run = await startFaultRunOn(topologyRedis(), {
      workerEnv: providerEnv(`flaky:timeout,500;${topology}`),
    });
    const { system, ledger, workload } = run;
    const before = { ...explorer.faultsServed };
    workload.createCompanies();
    workload.changes(14);
    const report = await assertInvariant(system, ledger, reference, {
      reconciliation: false,
      timeoutMs: 30_000,
    });
    console.log(`provider timeouts/500s, ${topology} Redis: ${report.summary}`);
    expect(explorer.faultsServed.timeout).toBeGreaterThan(before.timeout);
    expect(explorer.faultsServed['500']).toBeGreaterThan(before['500']);
  }, 120_000);

  it('malformed JSON from the provider is never written, and the reconciliation sweep enriches the record later', async () => {
    // A malformed body fails the enrichment for good (invalid-output is not retried: see
    // docs/faults.md, "Findings"); the scheduled sweep is what brings such a record up to date.
    run = await startFaultRunOn(topologyRedis(), {
      workerEnv: {
        ...providerEnv(`flaky:malformed,timeout,500;${topology}`),
        ...WITH_RECONCILIATION,
      },
    });
    const { system, ledger, workload } = run;
    const before = { ...explorer.faultsServed };
    workload.createCompanies();
    workload.changes(14);
    const report = await assertInvariant(system, ledger, reference, {
      reconciliation: true,
      timeoutMs: 45_000,
    });
    console.log(`provider malformed JSON, ${topology} Redis: ${report.summary}`);
    expect(explorer.faultsServed.malformed).toBeGreaterThan(before.malformed);
  }, 120_000);
});
