import { partitionOf, scheduleEnrichment } from '@so-connector/queue';
import { waitFor } from '@so-connector/testing';
import type { Redis } from 'ioredis';
import { useWorkerForEachTest } from './worker-harness';

// The worker at QUEUE_PARTITIONS=2. Cust12345's partition is 1 at that count; a producer at
// another count (a CLI at 1) puts its enrichment into partition 0, which the worker also serves.
const t = useWorkerForEachTest({ env: { QUEUE_PARTITIONS: '2' } });

describe('an enrichment in a partition other than its tenant’s (a producer at another count)', () => {
  it('takes the causes recorded beside the job, none left behind', async () => {
    expect(partitionOf('Cust12345', 2)).toBe(1);
    const timing = { debounceMs: 300, maxWaitMs: 5_000, attempts: 1 };
    const request = { tenant: 'Cust12345', entity: 'contact' as const, recordId: 3 };
    // Partition 0's queue (t.sut.enrich is the base prefix). Two causes in one debounce window:
    // the job's data keeps the last; the first is only in the list of causes.
    await scheduleEnrichment(t.sut.enrich, { ...request, cause: 'cli:first' }, timing);
    await scheduleEnrichment(t.sut.enrich, { ...request, cause: 'cli:second' }, timing);
    const job = (await t.sut.enrich.getJobs(['delayed', 'waiting', 'active']))[0]!;
    await waitFor(async () => ['completed', 'failed'].includes(await job.getState()), {
      what: 'the enrichment',
    });
    const done = (await t.sut.enrich.getJob(job.id!))!;
    expect(done.data.eventIds).toEqual(['cli:first', 'cli:second']);
    // Our queues run on ioredis connections; BullMQ types only its subset.
    const redis = (await t.sut.enrich.client) as unknown as Redis;
    expect(await redis.keys(`${t.sut.enrich.opts.prefix!}:so-enrich:causes:*`)).toEqual([]);
  });
});
