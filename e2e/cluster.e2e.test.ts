import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { closeRedis, eventJobId, QUEUE_NAMES } from '@so-connector/queue';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import {
  aWebhookEvent,
  enrichingWorkerEnv,
  freePort,
  pendingJobsIn,
  settle,
  signWebhookBody,
  startRedisCluster,
  waitFor,
  type TestRedisCluster,
} from '@so-connector/testing';
import { startApp, type ProductProcess } from './processes';
import { registerWebhook, SECRET, UDF } from './system';

// Two built receivers and three built workers on one 6-node Redis Cluster (3 masters, 3
// replicas) with one hash-tagged QUEUE_PREFIX: every connector key is in the `{so-e2e-…}` slot.
const HUMAN = 5;
const TENANT = 'Cust12345';
const CONTACTS = [2, 3, 4, 5];
const PERSONS = [11, 12, 13, 14];
const EDITS_PER_RECORD = 5;

interface ClusterSystem {
  readonly cluster: TestRedisCluster;
  /** The hash-tagged QUEUE_PREFIX every process runs with. */
  readonly prefix: string;
  readonly sim: RunningSimulator;
  readonly receiverUrls: readonly string[];
  readonly events: Queue;
  readonly enrich: Queue;
  writes(): number;
  /** What the receivers and workers have logged so far. */
  outputs(): string[];
  /** Every job of `so-events`, whatever its state. */
  eventJobIds(): Promise<string[]>;
  /** Every key on every master of the cluster (it is this test's alone), with its hash slot. */
  keysOnMasters(): Promise<{ key: string; slot: number }[]>;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** A load balancer in front of the receivers: each request goes to the next one in turn. */
function roundRobin(targets: readonly string[]): Promise<{ url: string; server: Server }> {
  let next = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = targets[next++ % targets.length]!;
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          (e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'host',
        ),
      );
      fetch(`${target}${req.url ?? '/'}`, {
        method: req.method ?? 'POST',
        headers,
        body: Buffer.concat(chunks),
      })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, server });
    }),
  );
}

async function startClusterSystem(): Promise<ClusterSystem> {
  const opened: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
  };
  try {
    const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    opened.push(() => cluster.dispose());
    const redisEnv = {
      REDIS_CLUSTER_NODES: cluster.seeds,
      QUEUE_PREFIX: `{so-e2e-${randomBytes(4).toString('hex')}}`,
    };
    const sim = await startSimulator({ retryScale: 0.01 });
    opened.push(() => sim.stop());
    const processes: ProductProcess[] = [];
    opened.push(() => Promise.all(processes.map((p) => p.kill())));

    const receiverUrls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const spoolDir = mkdtempSync(join(tmpdir(), 'so-e2e-cluster-spool-'));
      opened.push(() => Promise.resolve(rmSync(spoolDir, { recursive: true, force: true })));
      processes.push(
        startApp('receiver', {
          ...redisEnv,
          PORT: String(port),
          SO_CONTEXT_IDENTIFIER: TENANT,
          WEBHOOK_SECRET: SECRET,
          SPOOL_DIR: spoolDir,
        }),
      );
      receiverUrls.push(`http://127.0.0.1:${port}`);
    }
    for (const url of receiverUrls)
      await waitFor(
        async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true,
        {
          timeoutMs: 20_000,
          what: `the receiver at ${url}`,
        },
      );

    const balancer = await roundRobin(receiverUrls);
    opened.push(() => new Promise((resolve) => balancer.server.close(resolve)));
    const writes = await registerWebhook(sim, `${balancer.url}/webhooks/superoffice`);

    for (let i = 0; i < 3; i++) {
      const worker = startApp('worker', {
        ...redisEnv,
        ...enrichingWorkerEnv(sim),
        // Long enough that a record's quick edits, spread over both receivers, make one enrichment.
        ENRICH_DEBOUNCE_MS: '1500',
        ENRICH_MAX_WAIT_MS: '10000',
        ENRICH_BACKOFF_MS: '50',
        METRICS_PORT: '0',
        WATCHDOG_INTERVAL_MS: '0',
        RECONCILE_INTERVAL_MS: '0',
      });
      processes.push(worker);
      await waitFor(() => worker.output().includes('worker started'), {
        timeoutMs: 20_000,
        what: `worker ${i + 1} (output: ${worker.output().slice(-500)})`,
      });
    }

    const connection = new Cluster(
      cluster.seeds
        .split(',')
        .map((seed) => ({ host: '127.0.0.1', port: Number(seed.split(':')[1]) })),
      { redisOptions: { maxRetriesPerRequest: null } },
    );
    opened.push(() => closeRedis(connection));
    const events = new Queue(QUEUE_NAMES.events, { connection, prefix: redisEnv.QUEUE_PREFIX });
    const enrich = new Queue(QUEUE_NAMES.enrich, { connection, prefix: redisEnv.QUEUE_PREFIX });
    opened.push(() => Promise.all([events.close(), enrich.close()]));
    return {
      cluster,
      prefix: redisEnv.QUEUE_PREFIX,
      sim,
      receiverUrls,
      events,
      enrich,
      writes,
      outputs: () => processes.map((p) => p.output()),
      async eventJobIds() {
        const jobs = await events.getJobs([], 0, -1);
        return jobs.map((job) => job.id ?? '');
      },
      async keysOnMasters() {
        const out: { key: string; slot: number }[] = [];
        for (const node of connection.nodes('master')) {
          let cursor = '0';
          do {
            const [next, keys] = await node.scan(cursor, 'COUNT', 1000);
            cursor = next;
            for (const key of keys)
              out.push({ key, slot: Number(await node.cluster('KEYSLOT', key)) });
          } while (cursor !== '0');
        }
        return out;
      },
      settled: () =>
        settle({
          pendingJobs: () => pendingJobsIn([events, enrich]),
          deliveries: () => sim.deliveries.length,
          deliveriesSettled: () => sim.deliveriesSettled(),
        }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function post(url: string, body: string): Promise<number> {
  const answer = await fetch(`${url}/webhooks/superoffice`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-superoffice-signature': signWebhookBody(body, SECRET),
    },
    body,
  });
  await answer.arrayBuffer();
  return answer.status;
}

describe('two receivers and three workers on a 6-node Redis Cluster', () => {
  let system: ClusterSystem | undefined;
  afterAll(async () => {
    await system?.stop();
  });

  it('queues an EventId posted to both receivers once, and enriches a flood spread over both once per record', async () => {
    system = await startClusterSystem();
    expect((await system.cluster.masters()).length).toBe(3);

    // (a) 20 EventIds, each posted to both receivers at once (a department edit: filtered, no write).
    const posted = Array.from({ length: 20 }, (_, i) =>
      aWebhookEvent({
        PrimaryKey: CONTACTS[i % CONTACTS.length]!,
        Changes: ['contact_id', 'updated', 'department'],
        ChangedByAssociateId: HUMAN,
      }),
    );
    const statuses = await Promise.all(
      posted.flatMap((event) => {
        const body = JSON.stringify(event);
        return system!.receiverUrls.map((url) => post(url, body));
      }),
    );
    expect(statuses).toEqual(posted.flatMap(() => [200, 200]));
    await system.settled();
    expect((await system.eventJobIds()).sort()).toEqual(posted.map(eventJobId).sort());
    expect(system.writes()).toBe(0);

    // (b) 5 quick edits of each of 8 records; the simulator's deliveries alternate between receivers.
    for (let edit = 0; edit < EDITS_PER_RECORD; edit++) {
      for (const id of CONTACTS)
        system.sim.editAs(HUMAN, 'contact', id, { OrgNr: `6${id}${edit}000000` });
      for (const id of PERSONS)
        system.sim.editAs(HUMAN, 'person', id, { Title: `Title ${id}.${edit}` });
    }
    await system.settled();
    const delivered = system.sim.deliveries.filter((d) => d.status === 200 && d.event !== 'test');
    expect(delivered.length).toBeGreaterThanOrEqual(
      (CONTACTS.length + PERSONS.length) * EDITS_PER_RECORD,
    );
    expect(system.writes()).toBe(CONTACTS.length + PERSONS.length);
    const fields = (kind: 'contact' | 'person', id: number) =>
      system!.sim.state.get(kind, id)!.UserDefinedFields as Record<string, string>;
    for (const id of CONTACTS) expect(fields('contact', id)[UDF.summary]).not.toBe('');
    for (const id of PERSONS) expect(fields('person', id)[UDF.personOpener]).not.toBe('');
    // Nothing went wrong on the way: a key outside the slot would show as CROSSSLOT in the logs.
    expect(system.outputs().join('\n')).not.toMatch(/CROSSSLOT|"level":"error"/);
    // Every key the receivers and workers wrote carries the prefix, so all sit in its one slot.
    const keys = await system.keysOnMasters();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => !k.key.startsWith(system!.prefix)).map((k) => k.key)).toEqual([]);
    expect(new Set(keys.map((k) => k.slot)).size).toBe(1);
  }, 90_000);
});
