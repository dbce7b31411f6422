import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { scheduleEnrichmentHeld, type EnrichJobData, type EnrichmentRequest } from '../src';

// scheduleEnrichment's `notBefore` (a tenant known over its SuperOffice budget): a new job waits
// from the start until then; a request that joins a pending job never asks.
let redis: TestRedis;
let connection: Redis;
const queues: Queue<EnrichJobData>[] = [];
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  for (const queue of queues) await queue.close();
  connection.disconnect();
  await redis.cleanup();
});

function queue(name: string): Queue<EnrichJobData> {
  const q = new Queue<EnrichJobData>(name, { connection, prefix: redis.prefix });
  queues.push(q);
  return q;
}

const timing = { debounceMs: 2_000, maxWaitMs: 30_000, attempts: 3 };
const request = (
  cause: string,
  notBefore?: () => Promise<number | undefined>,
): EnrichmentRequest => ({
  tenant: 'Cust1',
  entity: 'contact',
  recordId: 5,
  cause,
  notBefore,
});

/** When a delayed job becomes due (BullMQ keeps it as the delayed set's score ÷ 4096). */
async function dueAt(q: Queue<EnrichJobData>, id: string): Promise<number> {
  const score = await connection.zscore(q.keys.delayed!, id);
  return Math.floor(Number(score) / 0x1000);
}

/** Due at `at`, or the few milliseconds later that BullMQ's own clock reading at the add makes it. */
const expectDue = (due: number, at: number) => {
  expect(due).toBeGreaterThanOrEqual(at);
  expect(due).toBeLessThan(at + 1_000);
};

describe('scheduleEnrichment with notBefore', () => {
  it('adds a new job waiting until notBefore when that is past the debounce window', async () => {
    const q = queue('held-new');
    const until = Date.now() + 45_000;
    const { job, heldUntil } = await scheduleEnrichmentHeld(
      q,
      request('e1', () => Promise.resolve(until)),
      timing,
    );
    expect(heldUntil).toBe(until);
    expect(await job.isDelayed()).toBe(true);
    expectDue(await dueAt(q, job.id!), until);
  });

  it('keeps the debounce when notBefore is sooner, or says nothing', async () => {
    for (const [name, notBefore] of [
      ['held-sooner', () => Promise.resolve(Date.now() + 500)],
      ['held-none', () => Promise.resolve(undefined)],
    ] as const) {
      const q = queue(name);
      const start = Date.now();
      const { job, heldUntil } = await scheduleEnrichmentHeld(q, request('e1', notBefore), timing);
      expect(heldUntil).toBeUndefined();
      expectDue(await dueAt(q, job.id!), start + timing.debounceMs);
    }
  });

  it('never asks notBefore for a request that joins the pending job', async () => {
    const q = queue('held-join');
    const first = await scheduleEnrichmentHeld(q, request('e1'), timing);
    const asked = jest.fn(() => Promise.resolve(Date.now() + 45_000));
    const joined = await scheduleEnrichmentHeld(q, request('e2', asked), timing);
    expect(asked).not.toHaveBeenCalled();
    expect(joined.heldUntil).toBeUndefined();
    expect(joined.job.id).not.toBe(first.job.id); // replaced, as any debounce join is
    expect(await q.getDelayedCount()).toBe(1);
  });
});
