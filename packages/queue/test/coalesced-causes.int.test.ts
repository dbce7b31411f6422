import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedisServer, useTestRedis, type TestRedis } from '@so-connector/testing';
import { LuaScript } from '../src/lua-script';
import { MAX_COALESCED_CAUSES, recordCause, takeCauses } from '../src';

let redis: TestRedis;
let connection: Redis;
const queues: Queue[] = [];
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  for (const queue of queues) await queue.close();
  connection.disconnect();
  await redis.cleanup();
});

function queue(name: string): Queue {
  const q = new Queue(name, { connection, prefix: redis.prefix });
  queues.push(q);
  return q;
}

describe('recordCause / takeCauses', () => {
  it('keeps the causes in order, the newest MAX_COALESCED_CAUSES, and takes them once', async () => {
    const q = queue('causes-order');
    for (let i = 0; i < MAX_COALESCED_CAUSES + 5; i++) await recordCause(q, 'T:contact:1', `e${i}`);
    // Another record's causes are its own.
    await recordCause(q, 'T:contact:2', 'other');
    const taken = await takeCauses(q, 'T:contact:1');
    expect(taken).toHaveLength(MAX_COALESCED_CAUSES);
    expect(taken[0]).toBe('e5');
    expect(taken.at(-1)).toBe(`e${MAX_COALESCED_CAUSES + 4}`);
    expect(await takeCauses(q, 'T:contact:1')).toEqual([]);
    expect(await takeCauses(q, 'T:contact:2')).toEqual(['other']);
    // The list expires if no job takes it (7 days).
    await recordCause(q, 'T:contact:3', 'lost');
    const ttl = await connection.pttl(q.toKey('causes:T:contact:3'));
    expect(ttl).toBeGreaterThan(6 * 24 * 3_600_000);
  });

  it("returns the record's pending job, as getDeduplicationJobId reads it", async () => {
    const q = queue('causes-pending');
    expect(await recordCause(q, 'T:contact:7', 'e1')).toBeUndefined();
    const job = await q.add(
      'contact',
      { n: 1 },
      { delay: 60_000, deduplication: { id: 'T:contact:7' } },
    );
    expect(await q.getDeduplicationJobId('T:contact:7')).toBe(job.id);
    expect(await recordCause(q, 'T:contact:7', 'e2')).toBe(job.id);
    expect(await recordCause(q, 'T:contact:8', 'e3')).toBeUndefined();
    expect(await takeCauses(q, 'T:contact:7')).toEqual(['e1', 'e2']);
  });
});

describe('LuaScript', () => {
  it('runs by SHA, and sends the body again when Redis has forgotten it', async () => {
    // A private server: SCRIPT FLUSH empties the script cache of every client of that Redis.
    const server = await startRedisServer();
    const own = new Redis(server.url);
    try {
      const script = new LuaScript(`return {KEYS[1], ARGV[1]}`);
      expect(await own.script('EXISTS', script.sha)).toEqual([0]);
      expect(await script.run(own, ['k'], ['a'])).toEqual(['k', 'a']);
      expect(await own.script('EXISTS', script.sha)).toEqual([1]);
      expect(await script.run(own, ['k'], [2])).toEqual(['k', '2']);
      await own.script('FLUSH');
      expect(await script.run(own, ['k'], ['again'])).toEqual(['k', 'again']);
    } finally {
      own.disconnect();
      await server.dispose();
    }
  });

  it('passes on an error of the script itself', async () => {
    const script = new LuaScript(`return redis.call('INCR', KEYS[1])`);
    const key = `${redis.prefix}:lua-script-text`;
    await connection.set(key, 'not a number');
    await expect(script.run(connection, [key])).rejects.toThrow(/not an integer/);
  });
});
