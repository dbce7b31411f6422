import { Redis } from 'ioredis';
import { UDF, useWorkerForEachTest } from './worker-harness';

const HUMAN = 5;
const t = useWorkerForEachTest({ patchFaults: true });

const udfsOf = (id: number) =>
  t.sut.sim.state.get('contact', id)!.UserDefinedFields as Record<string, string>;

describe('provider answers are kept by input fingerprint (issue 11 §1)', () => {
  it('asks the provider once for a company whose write fails 4 times before it succeeds', async () => {
    t.sut.proxy!.failNextPatches(4);
    const id = t.sut.sim.createAs(HUMAN, 'contact', {
      Name: 'Solgrid Energy AS',
      Description: 'Solar power plants and grid batteries for Nordic utilities.',
      Domains: ['solgrid.no'],
    }).ContactId as number;
    await t.sut.settled();

    expect(t.sut.proxy!.failedPatches()).toBe(4);
    expect(await t.sut.providerCalls()).toBe(1);
    expect(udfsOf(id)[UDF.summary]).toContain('Solgrid Energy AS');
    expect(t.sut.sim.counters.get('PATCH Contact/{id}')).toBe(1);

    // The answer is kept with PROVIDER_RESULT_TTL_MS (default 24 h), not forever.
    const inspector = new Redis(t.redis.url);
    try {
      const keys = await inspector.keys(`${t.redis.prefix}:provider-result:*`);
      expect(keys).toHaveLength(1);
      const ttl = await inspector.pttl(keys[0]!);
      expect(ttl).toBeGreaterThan(23 * 3_600_000);
      expect(ttl).toBeLessThanOrEqual(24 * 3_600_000);
    } finally {
      inspector.disconnect();
    }
  });

  it('asks the provider again when what it reads changed, even while writes fail', async () => {
    t.sut.proxy!.failNextPatches(2);
    t.sut.sim.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Data AB' });
    await t.sut.settled();
    expect(await t.sut.providerCalls()).toBe(1);

    t.sut.proxy!.failNextPatches(2);
    t.sut.sim.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Cloud AB' });
    await t.sut.settled();
    expect(t.sut.proxy!.failedPatches()).toBe(4);
    expect(await t.sut.providerCalls()).toBe(2);
    expect(udfsOf(3)[UDF.summary]).toContain('Fjordsky Cloud AB');
  });
});
