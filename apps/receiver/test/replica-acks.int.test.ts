import { readdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import supertest from 'supertest';
import { aWebhookEvent, startRedisServer, waitFor, type RedisServer } from '@so-connector/testing';
import { eventsQueue, signedDelivery, startReceiverForTest } from './receiver-harness';

// REDIS_REPLICA_ACKS: an event counts as accepted only once a replica holds it (Redis WAIT);
// until then it goes to the disk spool. A master and a replica of our own, on free ports.
let master: RedisServer;
let replica: RedisServer;
beforeEach(async () => {
  // Without the delay, a replica's first full sync waits 5 s for more replicas to join.
  master = await startRedisServer({
    appendOnly: 'everysec',
    extraArgs: ['--repl-diskless-sync-delay', '0'],
  });
  replica = await startRedisServer({
    appendOnly: 'everysec',
    extraArgs: ['--replicaof', '127.0.0.1', String(master.port)],
  });
  const probe = new Redis(master.url);
  try {
    await waitFor(
      async () => {
        const info = await probe.info('replication');
        return /connected_slaves:1/.test(info) && /state=online/.test(info);
      },
      { what: 'the replica in sync with the master' },
    );
  } finally {
    probe.disconnect();
  }
});
afterEach(async () => {
  replica.resume();
  await replica.dispose();
  await master.dispose();
});

const spooled = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json'));

async function postSigned(url: string, body: object) {
  const delivery = signedDelivery(body);
  return supertest(url).post('/webhooks/superoffice').set(delivery.headers).send(delivery.text);
}

describe('receiver: REDIS_REPLICA_ACKS', () => {
  it('answers accepted once the replica holds the event; spools it while the replica does not acknowledge, and drains it after', async () => {
    const sut = await startReceiverForTest({
      redisUrl: master.url,
      prefix: 'acks',
      // A freshly synced replica's first acknowledgement took over 300 ms on a loaded machine.
      env: { REDIS_REPLICA_ACKS: '1', REDIS_REPLICA_ACK_TIMEOUT_MS: '2000' },
    });
    const onMaster = eventsQueue(master.url, 'acks');
    const onReplica = eventsQueue(replica.url, 'acks');
    try {
      const first = aWebhookEvent();
      const accepted = await postSigned(sut.url, first);
      expect(accepted.body).toEqual({ status: 'accepted', eventId: first.EventId });
      // Acknowledged by the replica before the 200: it is there now, without waiting.
      expect(await onReplica.queue.getJob(first.EventId)).toBeDefined();

      replica.pause(); // a replica that does not answer: WAIT times out with 0 acknowledgements
      const second = aWebhookEvent();
      const held = await postSigned(sut.url, second);
      expect(held.status).toBe(200);
      expect(held.body).toEqual({ status: 'spooled', eventId: second.EventId });
      expect(spooled(sut.spoolDir)).toHaveLength(1);
      expect(
        sut.logLines.some((line) =>
          line.includes('0 of 1 Redis replica(s) acknowledged the event within 2000 ms'),
        ),
      ).toBe(true);

      replica.resume();
      await waitFor(() => spooled(sut.spoolDir).length === 0, {
        timeoutMs: 15_000,
        what: 'the spool drained once the replica acknowledges again',
      });
      expect(await onReplica.queue.getJob(second.EventId)).toBeDefined();
      expect((await onMaster.queue.getJobCounts('waiting')).waiting).toBe(2);
    } finally {
      await onMaster.close();
      await onReplica.close();
      await sut.close();
    }
  });

  it('shares one WAIT between concurrent events, and a missing replica neither queues WAITs nor blocks the readiness check', async () => {
    const sut = await startReceiverForTest({
      redisUrl: master.url,
      prefix: 'acks-many',
      // Generous for a loaded machine: one WAIT that falls short spools every event for a while.
      env: { REDIS_REPLICA_ACKS: '1', REDIS_REPLICA_ACK_TIMEOUT_MS: '2000' },
    });
    const stats = new Redis(master.url);
    const waits = async () =>
      Number(/cmdstat_wait:calls=(\d+)/.exec(await stats.info('commandstats'))?.[1] ?? 0);
    try {
      const before = await waits();
      const healthy = await Promise.all(
        Array.from({ length: 40 }, () => postSigned(sut.url, aWebhookEvent())),
      );
      expect(healthy.map((r) => r.body.status)).toEqual(Array(40).fill('accepted'));
      const shared = (await waits()) - before;
      expect(shared).toBeGreaterThan(0);
      expect(shared).toBeLessThan(40); // group-committed: one WAIT covers every earlier write

      replica.pause();
      const frozenBefore = await waits();
      const readiness = supertest(sut.url).get('/readyz');
      const frozen = await Promise.all(
        Array.from({ length: 20 }, () => postSigned(sut.url, aWebhookEvent())),
      );
      expect(frozen.map((r) => r.body.status)).toEqual(Array(20).fill('spooled'));
      // One WAIT ran out its timeout; the others were refused at once instead of each waiting
      // behind it on the connection (20 WAITs in a row: 40 s).
      expect((await waits()) - frozenBefore).toBeLessThanOrEqual(2);
      // The shared connection answered meanwhile: the readiness check saw Redis up.
      expect((await readiness).body).toMatchObject({ redis: 'up' });
    } finally {
      stats.disconnect();
      await sut.close();
    }
  });

  it('answers accepted at once with the default of no replica acknowledgement', async () => {
    const sut = await startReceiverForTest({ redisUrl: master.url, prefix: 'no-acks' });
    try {
      replica.pause();
      const event = aWebhookEvent();
      expect((await postSigned(sut.url, event)).body).toEqual({
        status: 'accepted',
        eventId: event.EventId,
      });
      expect(spooled(sut.spoolDir)).toHaveLength(0);
    } finally {
      await sut.close();
    }
  });
});
