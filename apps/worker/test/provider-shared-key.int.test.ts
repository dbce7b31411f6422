import { Redis } from 'ioredis';
import { waitFor } from '@so-connector/testing';
import { TenantPauses } from '../src/tenants/tenant-pause';
import { startRateLimitedExplorer, type RateLimitedExplorer } from './rate-limited-explorer';
import { B, useTwoTenants, udfsOf, type TwoTenants } from './tenants-harness';
import { UDF } from './worker-harness';

// Two tenants whose provider settings share one Company Explorer key: a Retry-After the provider
// gives one tenant's call holds both, since the limit is the key's (issue 12 §7).
const A = 'Cust12345';
const HUMAN = 5;
const KEY = 'shared-explorer-key-0123456789';
// Long enough that A's enrichment, however loaded the machine, reaches the provider inside it.
const RETRY_AFTER_S = 12;
const system = useTwoTenants();
let explorer: RateLimitedExplorer;
beforeAll(async () => {
  explorer = await startRateLimitedExplorer();
});
afterAll(async () => {
  await explorer.close();
});

const rateLimited = async (t: TwoTenants, tenant: string) => {
  const runs = await t.runs.recentRuns({ tenant, limit: 20 });
  return runs.flatMap((run) => run.entries).filter((e) => e.reason === 'rate-limited');
};

describe('worker: a provider Retry-After on a key several tenants share', () => {
  it("pauses every tenant with that key: the other tenant's enrichment waits without calling it", async () => {
    const t = await system.start({
      env: {
        ENRICHMENT_PROVIDER: 'company-explorer',
        COMPANY_EXPLORER_URL: explorer.url,
        COMPANY_EXPLORER_API_KEY: KEY,
      },
      b: {
        provider: {
          provider: 'company-explorer',
          baseUrl: explorer.url,
          apiKey: KEY,
          timeoutMs: 5000,
        },
      },
    });
    // Both tenants' runtimes are built and have used the explorer once.
    t.simA.editAs(HUMAN, 'contact', 4, { Name: 'Warm-up A AS' });
    t.simB.editAs(HUMAN, 'contact', 4, { Name: 'Warm-up B AS' });
    await t.settled();
    expect(new Set(explorer.requests.map((r) => r.key))).toEqual(new Set([KEY]));

    // B's next call is refused with 429 and Retry-After.
    explorer.limitNext(1, RETRY_AFTER_S);
    t.simB.editAs(HUMAN, 'contact', 2, { Name: 'Limited B AS' });
    await waitFor(async () => (await rateLimited(t, B.contextIdentifier)).length > 0, {
      timeoutMs: 15_000,
      what: "B's enrichment deferred by the explorer's Retry-After",
    });
    const refusedAt = explorer.requests.find((r) => r.limited)!.at;

    // A's change during the pause: deferred as rate-limited, the explorer not called.
    t.simA.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    await waitFor(async () => (await rateLimited(t, A)).length > 0, {
      timeoutMs: 15_000,
      what: "A's enrichment deferred by the shared key's pause",
    });
    // That it was not called for A is checked below, over the whole pause (`during`): a check on
    // the clock here would fail a correct run whose deferral was seen just after the pause ended.
    const connection = new Redis(system.redis().url);
    try {
      const pause = await new TenantPauses(connection, system.redis().prefix).current(A);
      expect(pause?.source).toBe('provider');
      // The shared pause is kept under a hash of the settings: the key is nowhere in Redis.
      const keys = await connection.keys(`${system.redis().prefix}:pause:*`);
      expect(keys.some((k) => k.includes('provider-credential'))).toBe(true);
      for (const key of keys) {
        expect(key).not.toContain(KEY);
        expect(await connection.get(key)).toMatch(/^\d+$/);
      }
    } finally {
      connection.disconnect();
    }

    // After the pause both records are enriched, and nothing failed.
    await waitFor(
      () =>
        String(udfsOf(t.simA, 2)[UDF.summary] ?? '').includes('Nordlys') &&
        String(udfsOf(t.simB, 2)[B.udf.summary] ?? '').includes('Limited B'),
      { timeoutMs: (RETRY_AFTER_S + 15) * 1000, what: 'both enrichments after the pause' },
    );
    const during = explorer.requests.filter(
      (r) => r.at > refusedAt && r.at < refusedAt + RETRY_AFTER_S * 1000 - 50,
    );
    expect(during).toEqual([]);
    expect(await t.enrich.getJobs(['failed'])).toHaveLength(0);
  }, 60_000);
});
