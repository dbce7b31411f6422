import { startSystem as startOn, UDF, type RunningSystem } from './system';
import { onTopology, signIns, type Topology, useTopologyRedis } from './topologies';

// Issue 4's scenarios against the real receiver and worker processes (the demo e2e covers a new
// company and its echo; worker-crash.e2e covers a SIGKILLed worker), on one redis-server, a
// 6-node Redis Cluster and a Sentinel setup (issue 13): the processes connect through
// REDIS_CLUSTER_NODES or REDIS_SENTINELS and sign in as an ACL user, each system with a
// QUEUE_PREFIX of its own.
const HUMAN = 5;
let system: RunningSystem;
afterEach(async () => {
  await system.stop();
});

const udfs = (kind: 'contact' | 'person', id: number) =>
  system.sim.state.get(kind, id)!.UserDefinedFields as Record<string, string>;

describe.each<Topology>(['single', 'cluster', 'sentinel'])(
  'receiver + worker processes against the simulator, %s Redis',
  (topology) => {
    const topologyRedis = useTopologyRedis(topology);
    const startSystem = (options: Parameters<typeof startOn>[0] = {}) =>
      startOn({ ...onTopology(topologyRedis()), ...options });

    it('coalesces 20 quick changes of one company into one enrichment and at most one write', async () => {
      system = await startSystem();
      for (let i = 0; i < 20; i++)
        system.sim.editAs(HUMAN, 'contact', 3, { Name: `Fjordsky Software AB ${i}` });
      await system.settled();
      expect(udfs('contact', 3)[UDF.vertical]).toBe('[I:2]');
      expect(system.writes()).toBe(1);
      // The jobs are in the setup under test: the harness reads them through its Cluster or
      // Sentinel connection (onTopology), under this system's own prefix.
      expect(await system.events.getCompletedCount()).toBeGreaterThanOrEqual(20);
      const redis = topologyRedis();
      if (redis) {
        // As on a managed Redis, every process signs in as the ACL user (REDIS_USERNAME and
        // REDIS_PASSWORD) on each node it uses; none came in on the open `default` user.
        const who = await signIns(redis);
        expect(who.unexplained).toEqual([]);
        expect(who.asAclUser).toBeGreaterThan(0);
        const outputs = [system.receiver, ...system.workers].map((p) => p.output());
        expect(outputs.filter((o) => o.includes(redis.aclUser.password))).toEqual([]);
      }
    });

    it('makes no SuperOffice call for an irrelevant change', async () => {
      system = await startSystem();
      const before = system.sim.counters.total('GET ');
      system.sim.editAs(HUMAN, 'contact', 4, { Department: 'Radiology' });
      await system.settled();
      expect(system.sim.counters.total('GET ')).toBe(before);
      expect(system.writes()).toBe(0);
    });

    it('writes nothing and asks no provider when a relevant edit changes nothing the provider reads', async () => {
      system = await startSystem();
      system.sim.editAs(HUMAN, 'contact', 2, { OrgNr: '918273646' });
      await system.settled();
      expect(system.writes()).toBe(1);
      const summary = udfs('contact', 2)[UDF.summary];
      system.sim.editAs(HUMAN, 'contact', 2, { Name: 'NORDLYS  ROBOTICS AS' });
      await system.settled();
      expect(system.writes()).toBe(1);
      expect(udfs('contact', 2)[UDF.summary]).toBe(summary);
    });

    it("writes a person's opener on a job-title change and leaves the company alone", async () => {
      system = await startSystem();
      system.sim.editAs(HUMAN, 'person', 13, { Title: 'Chief Executive Officer' });
      await system.settled();
      expect(udfs('person', 13)[UDF.personOpener]).toMatch(
        /^Hi Elin, as Chief Executive Officer at Fjordsky Software AB/,
      );
      expect(udfs('contact', 3)[UDF.summary]).toBe('');
      expect(system.sim.counters.get('PATCH Contact/{id}')).toBe(0);
    });

    it('enriches every record once through 30% SuperOffice 5xx and a 429 burst', async () => {
      system = await startSystem();
      system.sim.faults.errorRate = 0.3;
      system.sim.faults.rateLimitRemaining = 3;
      for (const id of [2, 3, 4])
        system.sim.editAs(HUMAN, 'contact', id, { OrgNr: `7${id}0000000` });
      await system.settled();
      system.sim.faults.errorRate = 0;
      for (const id of [2, 3, 4]) expect(udfs('contact', id)[UDF.summary]).not.toBe('');
      expect(system.writes()).toBe(3);
    });

    it('skips a deleted record without retrying', async () => {
      system = await startSystem();
      system.sim.editAs(HUMAN, 'contact', 5, { Name: 'Baltic Freight Lines SIA' });
      system.sim.deleteAs(HUMAN, 'contact', 5);
      await system.settled();
      expect(system.writes()).toBe(0);
      expect(system.sim.counters.get('GET Contact/{id}')).toBe(1);
    });

    it('shares the work between two worker processes without writing anything twice', async () => {
      system = await startSystem({ workers: 2 });
      for (const id of [2, 3, 4, 5])
        system.sim.editAs(HUMAN, 'contact', id, { OrgNr: `6${id}0000000` });
      for (const id of [11, 12, 13, 14])
        system.sim.editAs(HUMAN, 'person', id, { Title: `Title ${id}` });
      await system.settled();
      expect(system.writes()).toBe(8);
      for (const id of [2, 3, 4, 5]) expect(udfs('contact', id)[UDF.summary]).not.toBe('');
      for (const id of [11, 12, 13, 14]) expect(udfs('person', id)[UDF.personOpener]).not.toBe('');
    });
  },
);
