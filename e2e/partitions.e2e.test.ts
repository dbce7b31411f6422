import { join } from 'node:path';
import {
  partitionLabel,
  partitionOf,
  partitionPrefix,
  QUEUE_NAMES,
  scheduleEnrichment,
  tenantOfKey,
  type EnrichJobData,
  type LabelledQueue,
} from '@so-connector/queue';
import { aWebhookEvent, freePort, signWebhookBody, waitFor } from '@so-connector/testing';
import type { Queue } from 'bullmq';
import {
  closed,
  startPartitionedSystem,
  type PartitionedSystem,
  type Topology,
} from './partitions-system';
import { HUMAN, type SimTenant } from './tenants-deployment';

// Issue 13 §2: QUEUE_PARTITIONS=8 with six tenants (Cust1001…Cust1006: partitions 0, 1, 6, 7, 4
// and 5), two built receivers and a built worker. On a 6-node Redis Cluster each partition's
// hash tag ({so}, {so-p1}, …) has its own slot, so the tenants' queues sit on different masters;
// on a single node, and on a Sentinel setup (master, replica, three Sentinels: the processes find
// the master through them), the partitions work the same, without a tag.
const PARTITIONS = 8;
const TENANTS = 6;

const partitionOfTenant = (t: SimTenant) => partitionOf(t.contextIdentifier, PARTITIONS);

function queueOf(system: PartitionedSystem, name: string, partition: number): Queue {
  const found = system.queues.find((q) => q.label === partitionLabel(name, partition));
  if (!found) throw new Error(`no queue ${partitionLabel(name, partition)}`);
  return found.queue;
}

async function post(
  url: string,
  t: SimTenant,
  body: string,
): Promise<{ http: number; status: unknown }> {
  const answer = await fetch(`${url}/webhooks/superoffice/${t.contextIdentifier}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-superoffice-signature': signWebhookBody(body, t.webhookSecret),
    },
    body,
  });
  const answered = (await answer.json()) as { status?: unknown };
  return { http: answer.status, status: answered.status };
}

/** One row of the dashboard's queue table: the counts after the name cell. */
function countsRow(page: string, name: string): number[] {
  const row = new RegExp(`<tr data-queue="${name}">(.*?)</tr>`, 's').exec(page)?.[1] ?? '';
  return [...row.matchAll(/<td class="num[^"]*">(\d+)<\/td>/g)].map((m) => Number(m[1]));
}

describe.each<Topology>(['cluster', 'sentinel', 'single'])(
  'QUEUE_PARTITIONS=8 on %s Redis',
  (topology) => {
    let system: PartitionedSystem;
    beforeAll(async () => {
      system = await startPartitionedSystem({ topology, partitions: PARTITIONS, tenants: TENANTS });
    }, 90_000);
    afterAll(async () => {
      await system?.stop();
    });

    // Every tenant's contact 2 edited once and the system settled: the first test checks it, the
    // masters test reads the jobs it left. Whichever runs first (or alone, with -t) does it.
    let enriched: Promise<void> | undefined;
    const enrichEveryTenant = () =>
      (enriched ??= (async () => {
        for (const t of system.tenants)
          t.sim.editAs(HUMAN, 'contact', 2, {
            Name: `${t.contextIdentifier} Nordlys Robotics ASA`,
          });
        await system.settled();
      })());

    it("enriches every tenant's change end to end, each tenant's jobs in its own partition", async () => {
      const partitions = system.tenants.map(partitionOfTenant);
      // The test's premise: the tenants spread over several partitions, partition 0 among them.
      expect(new Set(partitions).size).toBe(TENANTS);
      expect(partitions).toContain(0);

      // Only what the processes print meanwhile: another test's refused worker logs an error.
      const printed = system.outputs().map((o) => o.length);
      await enrichEveryTenant();
      for (const t of system.tenants) {
        const udfs = t.sim.state.get('contact', 2)!.UserDefinedFields as Record<string, string>;
        expect(udfs[t.udf.summary]).toMatch(new RegExp(`^${t.contextIdentifier} Nordlys`));
      }
      // Each tenant's event and enrichment ran in its partition, and in no other.
      for (const t of system.tenants) {
        const own = partitionOfTenant(t);
        for (let p = 0; p < PARTITIONS; p++) {
          const jobs = [
            ...(await queueOf(system, QUEUE_NAMES.events, p).getJobs(['completed'])),
            ...(await queueOf(system, QUEUE_NAMES.enrich, p).getJobs(['completed'])),
          ].filter((job) => (job.data as { tenant?: string }).tenant === t.contextIdentifier);
          if (p === own) expect(jobs.length).toBeGreaterThanOrEqual(2);
          else expect(jobs).toEqual([]);
        }
      }
      const since = system.outputs().map((o, i) => o.slice(printed[i] ?? 0));
      expect(since.join('\n')).not.toMatch(/CROSSSLOT|"level":"error"/);
    }, 90_000);

    it("keeps each tenant's own keys (sync runs, seen markers, fingerprints…) in its partition", async () => {
      await enrichEveryTenant();
      const keys = [...(await system.keysByMaster()).values()].flat();
      const prefixes = Array.from({ length: PARTITIONS }, (_, p) =>
        partitionPrefix(system.prefix, p),
      );
      const kinds = new Map<string, Set<string>>();
      for (const key of keys) {
        const at = prefixes.find((p) => tenantOfKey(p, key) !== undefined);
        if (at === undefined) continue;
        const tenant = tenantOfKey(at, key)!;
        const t = system.tenants.find((x) => x.contextIdentifier === tenant);
        if (!t) continue;
        // Under its own partition's prefix, never under another's (partition 0 is QUEUE_PREFIX).
        expect({ key, at }).toEqual({ key, at: prefixes[partitionOfTenant(t)] });
        const kind = key.slice(at.length + 1).split(':')[0]!;
        kinds.set(tenant, (kinds.get(tenant) ?? new Set()).add(kind));
      }
      for (const t of system.tenants)
        expect([...(kinds.get(t.contextIdentifier) ?? [])]).toEqual(
          expect.arrayContaining(['runs', 'seen', 'enriched']),
        );
      // The receiver's dashboard reads them there: each tenant's page lists its company's run.
      for (const t of system.tenants) {
        const page = await system.admin(`/admin/t/${t.contextIdentifier}`);
        expect(page.status).toBe(200);
        expect(page.body).toMatch(/<tr data-run="[^"]+" data-status="[^"]+">.*?#2<\/span>/s);
      }
    }, 90_000);

    // A single node (or a Sentinel's master) is one master: nothing to spread over.
    (topology === 'cluster' ? it : it.skip)(
      'puts the partitions of different tenants on different masters',
      async () => {
        await enrichEveryTenant();
        const byMaster = await system.keysByMaster();
        expect(byMaster.size).toBe(3);
        // Per master: the partitions whose so-events jobs (`{prefix}:so-events:{EventId}`) it holds.
        // Only jobs: a Queue object writes its meta key in every partition it is made for.
        const prefixes = Array.from({ length: PARTITIONS }, (_, p) => partitionPrefix('{so}', p));
        const jobKey = new RegExp(`:${QUEUE_NAMES.events}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-`);
        const held = [...byMaster.values()].map(
          (keys) =>
            new Set(
              keys
                .filter((key) => jobKey.test(key))
                .map((key) => prefixes.indexOf(key.slice(0, key.indexOf(':')))),
            ),
        );
        const used = system.tenants.map(partitionOfTenant);
        // Every tenant's partition is held by exactly one master, and the tenants use all three.
        for (const p of used) expect(held.filter((set) => set.has(p)).length).toBe(1);
        expect(held.filter((set) => used.some((p) => set.has(p))).length).toBe(3);
      },
    );

    it('queues an EventId posted to both receivers once, in its tenant’s partition', async () => {
      const t = system.tenants.find((x) => partitionOfTenant(x) > 0)!;
      const event = aWebhookEvent({
        ContextIdentifier: t.contextIdentifier,
        PrimaryKey: 3,
        Changes: ['contact_id', 'updated', 'department'],
        ChangedByAssociateId: HUMAN,
      });
      const body = JSON.stringify(event);
      const answers = [];
      for (const url of system.receiverUrls) answers.push(await post(url, t, body));
      expect(answers).toEqual([
        { http: 200, status: 'accepted' },
        { http: 200, status: 'duplicate' },
      ]);
      await system.settled();
      const id = event.EventId.toLowerCase();
      const holders: number[] = [];
      for (let p = 0; p < PARTITIONS; p++)
        if (await queueOf(system, QUEUE_NAMES.events, p).getJob(id)) holders.push(p);
      expect(holders).toEqual([partitionOfTenant(t)]);
    });

    it('a receiver started with another count logs an error and sets its mismatch gauge', async () => {
      const port = await freePort();
      const receiver = system.startApp('receiver', {
        ...system.env,
        QUEUE_PARTITIONS: '4',
        PORT: String(port),
        SPOOL_DIR: join(system.dir, 'spool-mismatch'),
      });
      try {
        await waitFor(() => receiver.output().includes('QUEUE_PARTITIONS is 4 but'), {
          timeoutMs: 20_000,
          what: `the error (output: ${receiver.output().slice(-500)})`,
        });
        expect(receiver.output()).toMatch(
          /"level":"error".*QUEUE_PARTITIONS is 4 but the workers serve 8 partition/,
        );
        // The check starts before the server listens (start-receiver.ts), so the error can come
        // first: on the Sentinel setup it did, and /metrics was not served yet (CI, aee43e1).
        await waitFor(() => receiver.output().includes('receiver listening'), {
          timeoutMs: 20_000,
          what: `the receiver to listen (output: ${receiver.output().slice(-500)})`,
        });
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toMatch(/^so_receiver_queue_partitions_mismatch 1$/m);
      } finally {
        await receiver.kill();
      }
    });

    it('shows every partition in the dashboard counts, Bull Board and the CLI', async () => {
      const [bad, late] = system.tenants.filter((x) => partitionOfTenant(x) > 0) as [
        SimTenant,
        SimTenant,
      ];
      // The counts below are what this test adds: it starts from settled queues with no failed
      // job, and removes what it added at the end (the delayed job would keep settled() waiting).
      await system.settled();
      const failedBefore = (
        await Promise.all(system.queues.map((q) => q.queue.getJobCountByTypes('failed')))
      ).reduce((a, b) => a + b, 0);
      expect(failedBefore).toBe(0);
      // A job the events stage refuses (no event in it) fails in `bad`'s partition; an enrichment
      // waits delayed in `late`'s. Partition 0 holds neither.
      const failing = await queueOf(system, QUEUE_NAMES.events, partitionOfTenant(bad)).add(
        'contact.changed',
        { tenant: bad.contextIdentifier },
      );
      const lateQueue = queueOf(system, QUEUE_NAMES.enrich, partitionOfTenant(late));
      await scheduleEnrichment(
        lateQueue as Queue<EnrichJobData>,
        { tenant: late.contextIdentifier, entity: 'contact', recordId: 4, cause: 'test' },
        { debounceMs: 600_000, maxWaitMs: 1_200_000, attempts: 1 },
      );
      try {
        await waitFor(async () => (await failing.getState()) === 'failed', { what: 'the bad job' });

        const page = await system.admin(`/admin/t/${system.tenants[0]!.contextIdentifier}`);
        expect(page.status).toBe(200);
        // waiting, delayed, active, failed: added up over the 8 partitions.
        expect(countsRow(page.body, QUEUE_NAMES.events)).toEqual([0, 0, 0, 1]);
        expect(countsRow(page.body, QUEUE_NAMES.enrich)).toEqual([0, 1, 0, 0]);
        expect(page.body).toContain(`${PARTITIONS} partitions`);

        const board = await system.admin('/admin/queues/api/queues?activeQueue=x');
        const names = (JSON.parse(board.body) as { queues: { name: string }[] }).queues.map(
          (q) => q.name,
        );
        const labels = (queues: readonly LabelledQueue[]) => queues.map((q) => q.label).sort();
        expect(names.sort()).toEqual(labels(system.queues));
        expect(names).toContain(partitionLabel(QUEUE_NAMES.events, partitionOfTenant(bad)));

        // The job's "sync run" link from Bull Board finds the job in its partition.
        const label = partitionLabel(QUEUE_NAMES.events, partitionOfTenant(bad));
        const link = await system.admin(`/admin/jobs/${label}/${failing.id ?? ''}`);
        expect(link.body).not.toContain(`There is no queue`);

        // A worker started with another count refuses while the queues hold work (the delayed
        // job). Registered with the system: if it does not refuse, stop() still kills it.
        const other = system.startApp('worker', { ...system.workerEnv, QUEUE_PARTITIONS: '4' });
        expect(await closed(other)).toBe(1);
        expect(other.output()).toMatch(
          /failed to start: QUEUE_PARTITIONS is 4 but the queues were served with 8 and still hold \d+ unfinished job/,
        );

        // `failed list` reads every partition, on each topology (on the Cluster, partitions on
        // several masters).
        const cli = system.startApp(
          'cli',
          { ...system.env },
          { args: ['--json', 'failed', 'list'] },
        );
        expect(await closed(cli)).toBe(0);
        const listed = JSON.parse(cli.output().slice(cli.output().indexOf('{'))) as {
          failed: { queue: string; id: string }[];
        };
        expect(listed.failed).toEqual([expect.objectContaining({ queue: label, id: failing.id })]);
      } finally {
        await failing.remove().catch(() => undefined);
        for (const job of await lateQueue.getJobs(['delayed']))
          if ((job.data as { tenant?: string }).tenant === late.contextIdentifier)
            await job.remove().catch(() => undefined);
      }
    }, 60_000);
  },
);
