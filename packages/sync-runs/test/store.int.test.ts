import { Redis } from 'ioredis';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { ActivityCounters, SyncRunStore, type RunFact } from '../src';

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

  it('stores skips as compact members (a listpack) and reads facts stored as JSON before', async () => {
    const prefix = `${redis.prefix}-g`;
    const sut = new SyncRunStore({ redis: client, prefix });
    const key = `${prefix}:runs:Cust1:account:7`;
    // A fact as the previous deploy stored it: JSON, scored by its time.
    const old = fact(7, 20, { id: 'old-1', reason: 'echo', job: { queue: 'so-events', id: 'x' } });
    await client.zadd(key, Date.parse(old.at), JSON.stringify(old));
    const skips = [3, 2, 1].map((m) =>
      fact(7, m, {
        id: `0b9c1f3e-5a7d-4c2b-9e8f-1a2b3c4d5e6${m}`,
        event: 'contact.changed',
        reason: 'echo',
        detail: "changed by associate 42, the connector's API user",
        job: { queue: 'so-events', id: `0b9c1f3e-5a7d-4c2b-9e8f-1a2b3c4d5e6${m}` },
      }),
    );
    await sut.recordMany(skips.map((f) => ({ fact: f })));
    expect(await sut.factsForAccount('Cust1', 7)).toEqual([old, ...skips]);
    const members = await client.zrange(key, 1, -1);
    expect(Math.max(...members.map((m) => Buffer.byteLength(m)))).toBeLessThanOrEqual(64);
    // A JSON fact (> 64 bytes) made that set a skiplist; an account of skips alone stays a listpack.
    expect(await client.object('ENCODING', key)).toBe('skiplist');
    await sut.recordMany(skips.map((f) => ({ fact: { ...f, accountId: 8 } })));
    expect(await client.object('ENCODING', `${prefix}:runs:Cust1:account:8`)).toBe('listpack');
  });

  it('refuses a malformed fact instead of storing it', async () => {
    const sut = new SyncRunStore({ redis: client, prefix: `${redis.prefix}-c` });
    await expect(sut.record({ ...fact(1, 1, {}), status: 'DONE' as never })).rejects.toThrow();
  });

  it('keeps at most maxAccountsPerTenant accounts: the least recently active go, with their facts', async () => {
    const prefix = `${redis.prefix}-d`;
    const sut = new SyncRunStore({ redis: client, prefix, maxAccountsPerTenant: 3 });
    // Account 1 is written first, so it goes when the batch of 2..4 makes four; 2 goes for 5, and
    // 3 when account 1 comes back: its old facts left with it, the new one is alone.
    await sut.record(fact(1, 50, { id: 'a1-old' }));
    await sut.recordMany([2, 3, 4].map((id) => ({ fact: fact(id, 40 - id, { id: `a${id}` }) })));
    await sut.record(fact(5, 20, { id: 'a5' }));
    await sut.record(fact(1, 10, { id: 'a1-new' }));
    const recent = await sut.recentRuns({ tenant: 'Cust1' });
    expect(recent.map((r) => r.accountId).sort()).toEqual([1, 4, 5]);
    expect(await client.exists(`${prefix}:runs:Cust1:account:2`)).toBe(0);
    expect(await client.exists(`${prefix}:runs:Cust1:account:3`)).toBe(0);
    expect((await sut.factsForAccount('Cust1', 1)).map((f) => f.id)).toEqual(['a1-new']);
    // Another tenant's accounts are counted apart.
    await sut.record(fact(9, 1, { id: 'other', tenant: 'Cust2' }));
    expect((await sut.recentRuns({ tenant: 'Cust2' })).map((r) => r.id)).toEqual(['other']);
    expect((await sut.recentRuns({ tenant: 'Cust1' })).length).toBe(3);
  });

  it('trims by age and count within one batch as across batches', async () => {
    const sut = new SyncRunStore({
      redis: client,
      prefix: `${redis.prefix}-e`,
      retentionMs: 60 * 60_000,
      maxFactsPerAccount: 3,
    });
    await sut.recordMany([
      { fact: fact(5, 120, { id: 'too-old' }) },
      ...[0, 1, 2, 3, 4].map((i) => ({ fact: fact(5, 10 - i, { id: `f${i}` }) })),
    ]);
    expect((await sut.factsForAccount('Cust1', 5)).map((f) => f.id)).toEqual(['f2', 'f3', 'f4']);
    const ttl = await client.pttl(`${redis.prefix}-e:runs:Cust1:account:5`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000);
  });

  it('records every one of many concurrent writes through a batcher, with their counters and markers', async () => {
    const prefix = `${redis.prefix}-f`;
    const store = new SyncRunStore({ redis: client, prefix });
    const sut = store.batcher();
    const activity = new ActivityCounters({ redis: client, prefix, writer: sut });
    const seenKey = (id: number) => `${prefix}:seen:Cust1:contact:${id}`;
    const n = 400;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        sut.write({
          fact: fact(1 + (i % 20), 0, { id: `skip-${i}`, reason: 'echo' }),
          also: [
            activity.countWrite('Cust1', ['events', 'skips']),
            {
              op: 'mark-later',
              key: seenKey(1 + (i % 20)),
              value: `2026-11-30T10:00:${String(i % 60).padStart(2, '0')}`,
              ttlSeconds: 3600,
            },
          ],
        }),
      ),
    );
    const ids = new Set<string>();
    for (let account = 1; account <= 20; account++)
      for (const f of await store.factsForAccount('Cust1', account)) ids.add(f.id);
    expect(ids.size).toBe(n);
    expect([...ids].every((id) => /^skip-\d+$/.test(id))).toBe(true);
    const [bucket] = (await activity.series('Cust1', Date.now())).slice(-1);
    expect(bucket?.counts).toMatchObject({ events: n, skips: n });
    // The latest stamp of each record wins, whatever order the batch applied them in.
    expect(await client.get(seenKey(1))).toBe('2026-11-30T10:00:40');
  });

  it('keeps a seen marker that is later than the one written now, and refreshes its TTL', async () => {
    const store = new SyncRunStore({ redis: client, prefix: `${redis.prefix}-g` });
    const key = `${redis.prefix}-g:seen:Cust1:contact:7`;
    const mark = (value: string, ttlSeconds: number) =>
      store.recordMany([{ also: [{ op: 'mark-later', key, value, ttlSeconds }] }]);
    await mark('2026-11-30T10:00:05', 100);
    await mark('2026-11-30T10:00:01', 5000);
    expect(await client.get(key)).toBe('2026-11-30T10:00:05');
    expect(await client.ttl(key)).toBeGreaterThan(100);
  });

  it('refuses a malformed fact alone: the batch it would have joined is written', async () => {
    const store = new SyncRunStore({ redis: client, prefix: `${redis.prefix}-h` });
    const sut = store.batcher();
    const outcomes = await Promise.allSettled([
      sut.write({ fact: fact(3, 1, { id: 'good-1' }) }),
      sut.write({ fact: { ...fact(3, 1, { id: 'bad' }), accountId: 1.5 } }),
      sut.write({ fact: fact(3, 0, { id: 'good-2' }) }),
      sut.write({ fact: fact(3, 0, { id: 'no-time', at: 'yesterday' }) }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    expect((await store.factsForAccount('Cust1', 3)).map((f) => f.id).sort()).toEqual([
      'good-1',
      'good-2',
    ]);
    await sut.idle();
  });

  it('writes under a hash-tagged prefix (Redis Cluster) with every key in its slot', async () => {
    const prefix = `{${redis.prefix}-i}`;
    const store = new SyncRunStore({ redis: client, prefix, maxAccountsPerTenant: 1 });
    await store.recordMany([
      { fact: fact(1, 2, { id: 't1' }) },
      { fact: fact(2, 1, { id: 't2' }) },
    ]);
    expect((await store.recentRuns({ tenant: 'Cust1' })).map((r) => r.id)).toEqual(['t2']);
    expect(await client.exists(`${prefix}:runs:Cust1:account:1`)).toBe(0);
  });
});
