import { Redis } from 'ioredis';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { SyncRunStore, type RunFact } from '../src';

let redis: TestRedis;
let client: Redis;
beforeAll(async () => {
  redis = await useTestRedis();
  client = new Redis(redis.url);
});
afterAll(async () => {
  client.disconnect();
  await redis.cleanup();
});

const now = Date.now();
const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
const fact = (accountId: number, minutesAgo: number, overrides: Partial<RunFact>): RunFact => ({
  id: `e-${accountId}-${minutesAgo}`,
  kind: 'event',
  tenant: 'Cust1',
  accountId,
  at: at(minutesAgo),
  status: 'SKIPPED',
  record: { entity: 'contact', id: accountId },
  ...overrides,
});

describe('SyncRunStore (real Redis)', () => {
  it('records facts from several writers and folds them into runs per account', async () => {
    const sut = new SyncRunStore({ redis: client, prefix: `${redis.prefix}-a` });
    const otherClient = new Redis(redis.url);
    const other = new SyncRunStore({ redis: otherClient, prefix: `${redis.prefix}-a` });
    await Promise.all([
      sut.record(
        fact(2, 30, { id: 'evt-1', status: 'QUEUED', accountName: 'Nordlys Robotics AS' }),
      ),
      other.record(
        fact(2, 29, {
          id: 'enrich:1',
          kind: 'enrichment',
          status: 'COMPLETED',
          fieldsWritten: [{ key: 'k', old: '', new: 'v' }],
        }),
      ),
      sut.record(fact(2, 28, { id: 'evt-echo', reason: 'echo' })),
      sut.record(
        fact(3, 5, { id: 'evt-9', status: 'FAILED', accountName: 'Fjordsky Software AB' }),
      ),
      sut.record(fact(2, 1, { id: 'evt-late', reason: 'irrelevant-change' })),
    ]);
    otherClient.disconnect();
    const runs = await sut.runsForAccount('Cust1', 2);
    expect(runs.map((r) => [r.status, r.events])).toEqual([
      ['SKIPPED', 1],
      ['COMPLETED', 2],
    ]);
    expect(await sut.findRun('Cust1', 2, 'evt-1')).toMatchObject({
      accountName: 'Nordlys Robotics AS',
      status: 'COMPLETED',
    });

    expect((await sut.recentRuns({ tenant: 'Cust1' })).map((r) => r.id)).toEqual([
      'evt-late',
      'evt-9',
      'evt-1',
    ]);
    expect(
      (await sut.recentRuns({ tenant: 'Cust1', status: 'FAILED' })).map((r) => r.accountId),
    ).toEqual([3]);
    expect(
      (await sut.recentRuns({ tenant: 'Cust1', account: 'nordlys' })).map((r) => r.accountId),
    ).toEqual([2, 2]);
    expect((await sut.recentRuns({ tenant: 'Cust1', since: at(10) })).map((r) => r.id)).toEqual([
      'evt-late',
      'evt-9',
    ]);
  });

  it('bounds what it keeps: by age and by count per account', async () => {
    const sut = new SyncRunStore({
      redis: client,
      prefix: `${redis.prefix}-b`,
      retentionMs: 60 * 60_000,
      maxFactsPerAccount: 3,
    });
    await sut.record(fact(5, 120, { id: 'too-old' }));
    for (let i = 0; i < 5; i++) await sut.record(fact(5, 10 - i, { id: `f${i}` }));
    expect((await sut.factsForAccount('Cust1', 5)).map((f) => f.id)).toEqual(['f2', 'f3', 'f4']);
  });

  it('refuses a malformed fact instead of storing it', async () => {
    const sut = new SyncRunStore({ redis: client, prefix: `${redis.prefix}-c` });
    await expect(sut.record({ ...fact(1, 1, {}), status: 'DONE' as never })).rejects.toThrow();
  });
});
