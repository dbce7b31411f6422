import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, type EventJobData } from '@so-connector/queue';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { SECRET, startReceiverForTest, type ReceiverUnderTest } from './receiver-harness';

// The simulator's dispatcher signs and sends like SuperOffice; the real receiver must accept it.
let redis: TestRedis;
let sim: RunningSimulator;
let sut: ReceiverUnderTest;

beforeEach(async () => {
  redis = await useTestRedis();
  sim = await startSimulator({ retryScale: 0.01 });
  sut = await startReceiverForTest({ redisUrl: redis.url, prefix: redis.prefix });
});
afterEach(async () => {
  await sim.stop();
  await sut.events.obliterate({ force: true });
  await sut.close();
  await redis.cleanup();
});

function registerWebhook(secret: string): Promise<number> {
  return sim.registerWebhook({
    targetUrl: `${sut.url}/webhooks/superoffice`,
    secret,
    events: ['contact.changed', 'person.changed'],
  });
}

describe('simulator → receiver', () => {
  it('registers (the test ping is answered 200) and queues a signed change with its editor', async () => {
    expect(await registerWebhook(SECRET)).toBe(200);
    sim.editAs(5, 'person', 11, { Title: 'COO' });
    await sim.deliveriesSettled();
    expect(sim.deliveries.map((d) => d.status)).toEqual([200]);
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue<EventJobData>(QUEUE_NAMES.events, { connection, prefix: redis.prefix });
    try {
      const [job] = await waitFor(
        async () => {
          const jobs = await queue.getWaiting();
          return jobs.length > 0 ? jobs : undefined;
        },
        { what: 'the queued event' },
      );
      expect(job!.name).toBe('person.changed');
      expect(job!.data.event).toMatchObject({
        PrimaryKey: 11,
        ChangedByAssociateId: 5,
        ContextIdentifier: 'Cust12345',
      });
      expect(job!.data.event.Changes).toContain('title');
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('answers the registration ping signed with a secret it does not hold yet, but refuses the deliveries: SuperOffice tries each 3 times and nothing is queued', async () => {
    expect(await registerWebhook('not-the-receivers-secret')).toBe(200);
    sim.editAs(5, 'person', 11, { Title: 'COO' });
    await sim.deliveriesSettled();
    expect(sim.deliveries.map((d) => d.status)).toEqual([401, 401, 401]);
    expect(await sut.events.getJobCounts()).toMatchObject({ waiting: 0, delayed: 0 });
  });
});
