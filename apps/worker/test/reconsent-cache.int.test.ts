import { Redis } from 'ioredis';
import { aTenant } from '@so-connector/tenants/testing';
import { startRedisServer, waitFor, type RedisServer } from '@so-connector/testing';
import { ReconsentStore } from '../src/tenants/reconsent-store';

// Every job asks whether its tenant needs re-consent: one Redis read a second per process, not
// one per job. A redis-server of its own: INFO commandstats counts every client's commands.
let redis: RedisServer;
let connection: Redis;
const prefix = 'so';
beforeEach(async () => {
  redis = await startRedisServer();
  connection = new Redis(redis.url);
});
afterEach(async () => {
  connection.disconnect();
  await redis.dispose();
});

async function hgetallCalls(): Promise<number> {
  const stats = await connection.info('commandstats');
  return Number(/cmdstat_hgetall:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

const tenant = aTenant('Cust1', {
  webhookSecrets: ['s'],
  credentials: { kind: 'refresh-token', refreshToken: 'rt-1' },
});

describe('ReconsentStore.current', () => {
  it('answers 200 concurrent jobs from one read', async () => {
    const store = new ReconsentStore(connection, prefix, 60_000);
    const before = await hgetallCalls();
    const marks = await Promise.all(Array.from({ length: 200 }, () => store.current('Cust1')));
    expect(marks.every((m) => m === undefined)).toBe(true);
    expect((await hgetallCalls()) - before).toBe(1);
  });

  it("sees its own mark and clear at once, another process's within the cache time", async () => {
    const mine = new ReconsentStore(connection, prefix, 60_000);
    const other = new ReconsentStore(connection, prefix, 60_000);
    const quick = new ReconsentStore(connection, prefix, 50);
    expect(await mine.current('Cust1')).toBeUndefined();
    expect(await quick.current('Cust1')).toBeUndefined();

    await other.mark(tenant, 'invalid_grant');
    expect(await other.current('Cust1')).toMatchObject({ reason: 'invalid_grant' });
    // Another process's mark: not yet seen by a long cache, seen by a short one after it expires.
    expect(await mine.current('Cust1')).toBeUndefined();
    await waitFor(async () => (await quick.current('Cust1')) !== undefined, {
      timeoutMs: 2000,
      what: "the 50 ms cache to see the other process's mark",
    });

    await mine.mark(tenant, 'invalid_grant'); // already marked with this credential: no change
    expect(await mine.current('Cust1')).toMatchObject({ reason: 'invalid_grant' });
    await mine.clear('Cust1');
    expect(await mine.current('Cust1')).toBeUndefined();
  });

  it('answers from its last read while Redis does not answer (a failover), and reads again after', async () => {
    const store = new ReconsentStore(connection, prefix, 50);
    const other = new ReconsentStore(connection, prefix, 50);
    await other.mark(tenant, 'invalid_grant');
    expect(await store.current('Cust1')).toMatchObject({ reason: 'invalid_grant' });
    const marked = await hgetallCalls();
    redis.pause();
    try {
      const expired = Date.now() + 100;
      await waitFor(() => Date.now() > expired, { what: 'the cache to expire' });
      // The read it starts cannot be answered: without the last answer, every job would wait here.
      expect(await store.current('Cust1')).toMatchObject({ reason: 'invalid_grant' });
      expect(await store.current('Cust2')).toBeUndefined();
    } finally {
      redis.resume();
    }
    await other.clear('Cust1');
    await waitFor(async () => (await store.current('Cust1')) === undefined, {
      timeoutMs: 5000,
      what: 'the clear seen once Redis answers again',
    });
    expect(await hgetallCalls()).toBeGreaterThan(marked);
  });
});
