import { readdirSync } from 'node:fs';
import supertest from 'supertest';
import { eventJobId, keySlot, QUEUE_NAMES } from '@so-connector/queue';
import {
  aWebhookEvent,
  askRedis,
  startRedisCluster,
  waitFor,
  type RedisProcess,
  type TestRedisCluster,
} from '@so-connector/testing';
import { signedDelivery, startReceiverForTest } from './receiver-harness';

// REDIS_REPLICA_ACKS on a 3-master Redis Cluster: the receiver's WAIT must reach the master that
// serves QUEUE_PREFIX's slot (the queue's writes), and count that master's replica. Sent through
// the Cluster as a keyless command it went to a random master, which answered for writes it
// never had: accepted with the queue master's replica frozen.
const PREFIX = '{acks-cluster}';
let cluster: TestRedisCluster;
let master: RedisProcess;
let replica: RedisProcess;
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  const slot = keySlot(PREFIX);
  // startRedisCluster returns once every node's view lists every replica under its master.
  const ranges = await askRedis(cluster.nodes[0]!.port, (r) => r.cluster('SLOTS'));
  const range = ranges.find(([from, to]) => slot >= from && slot <= to)!;
  master = cluster.node(Number(range[2]![1]));
  const view = await cluster.view();
  const masterId = view.find((n) => n.port === master.port)!.id;
  replica = cluster.node(view.find((n) => n.masterId === masterId)!.port);
}, 60_000);
afterAll(async () => {
  replica?.resume();
  await cluster?.dispose();
});

const spooled = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json'));

async function postSigned(url: string, body: object) {
  const delivery = signedDelivery(body);
  return supertest(url).post('/webhooks/superoffice').set(delivery.headers).send(delivery.text);
}

/** The event's job hash, read on the replica itself (READONLY: a replica serves its master's slots). */
function onReplica(eventId: string): Promise<number> {
  return askRedis(replica.port, async (r) => {
    await r.call('READONLY');
    return r.exists(`${PREFIX}:${QUEUE_NAMES.events}:${eventJobId({ EventId: eventId })}`);
  });
}

describe('receiver: REDIS_REPLICA_ACKS on a Redis Cluster', () => {
  it("accepts once the prefix slot's replica holds the event; spools while that replica is frozen, and drains after", async () => {
    const sut = await startReceiverForTest({
      redisUrl: master.url,
      prefix: PREFIX,
      env: {
        REDIS_CLUSTER_NODES: cluster.seeds,
        REDIS_REPLICA_ACKS: '1',
        REDIS_REPLICA_ACK_TIMEOUT_MS: '2000',
      },
    });
    try {
      const first = aWebhookEvent();
      const accepted = await postSigned(sut.url, first);
      expect(accepted.body).toEqual({ status: 'accepted', eventId: first.EventId });
      // Acknowledged by the replica before the 200: it is there now, without waiting.
      expect(await onReplica(first.EventId)).toBe(1);

      // The other masters' replicas still answer: a WAIT sent to any of them would count one.
      replica.pause();
      const held = [];
      for (let i = 0; i < 6; i++) held.push(await postSigned(sut.url, aWebhookEvent()));
      expect(held.map((r) => [r.status, r.body.status])).toEqual(Array(6).fill([200, 'spooled']));
      expect(spooled(sut.spoolDir)).toHaveLength(6);
      expect(
        sut.logLines.some((line) =>
          line.includes('0 of 1 Redis replica(s) acknowledged the event within 2000 ms'),
        ),
      ).toBe(true);

      replica.resume();
      await waitFor(() => spooled(sut.spoolDir).length === 0, {
        timeoutMs: 20_000,
        what: 'the spool drained once the replica acknowledges again',
      });
      for (const r of held) expect(await onReplica(r.body.eventId as string)).toBe(1);
    } finally {
      await sut.close();
    }
  }, 60_000);
});
