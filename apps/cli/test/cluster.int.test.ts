import { Worker, type Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import {
  closeRedis,
  createEnrichQueue,
  createEventsQueue,
  enrichDedupId,
  QUEUE_NAMES,
} from '@so-connector/queue';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { startRedisCluster, waitFor, type TestRedisCluster } from '@so-connector/testing';
import { cli, envFor } from './cli-harness';

// The CLI's queue commands on a 3-master Redis Cluster (REDIS_CLUSTER_NODES, QUEUE_PREFIX with a
// hash tag): they refused to run there (exit 78) and now connect with createConnection.
const PREFIX = '{cli-cluster}';
let cluster: TestRedisCluster;
let connection: Cluster;
let sim: RunningSimulator;
const queues: Queue[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
  connection = new Cluster(cluster.clientNodes, { redisOptions: { maxRetriesPerRequest: null } });
  sim = await startSimulator({ retryScale: 0.001 });
}, 60_000);
afterAll(async () => {
  for (const q of queues) await q.close();
  await closeRedis(connection);
  await sim?.stop();
  await cluster?.dispose();
});

const env = () =>
  envFor(
    sim,
    { url: 'redis://127.0.0.1:1', prefix: PREFIX },
    { REDIS_CLUSTER_NODES: cluster.seeds },
  );

function queue<Q extends Queue>(create: (c: Cluster, prefix: string) => Q): Q {
  const q = create(connection, PREFIX);
  queues.push(q);
  return q;
}

describe('CLI queue commands on a Redis Cluster', () => {
  it('enrich enqueues on the cluster under the shared deduplication id', async () => {
    const enrich = queue(createEnrichQueue);
    const run = await cli(['enrich', '2', '--json'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { jobId, state } = run.json<{ jobId: string; state: string }>();
    expect(state).toBe('waiting');
    expect(await enrich.getDeduplicationJobId(enrichDedupId('Cust12345', 'contact', 2))).toBe(
      jobId,
    );
  });

  it('failed lists a failed job of the cluster and retries it', async () => {
    const events = queue(createEventsQueue);
    const workerConnection = connection.duplicate();
    const worker = new Worker(
      events.name,
      () => {
        throw new Error('boom on the cluster');
      },
      { connection: workerConnection, prefix: PREFIX },
    );
    try {
      const job = await events.add('contact.changed', { tenant: 'Cust12345' } as never, {
        attempts: 1,
      });
      await waitFor(async () => (await job.getState()) === 'failed', { what: 'the job to fail' });
      await worker.close();

      const listed = await cli(['failed', 'list', '--json'], env());
      expect(listed.code).toBe(0);
      expect(listed.json().failed).toEqual([
        expect.objectContaining({
          queue: QUEUE_NAMES.events,
          id: job.id,
          failedReason: 'boom on the cluster',
        }),
      ]);
      const retried = await cli(['failed', 'retry', job.id!, '--queue', 'so-events'], env());
      expect(retried.code).toBe(0);
      expect(await (await events.getJob(job.id!))!.getState()).toBe('waiting');
    } finally {
      await worker.close();
      await closeRedis(workerConnection);
    }
  });
});
