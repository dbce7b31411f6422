import { waitFor } from '@so-connector/testing';
import { startApp } from './processes';
import { startSystem, UDF, type RunningSystem } from './system';
import { expectOnTopology, onTopology, useTopologyRedis, type Topology } from './topologies';

// On one redis-server, a 6-node Redis Cluster and a Sentinel setup (issue 13): the backfill's
// cursor, stop flag and outcomes live under the hash-tagged QUEUE_PREFIX there.

let system: RunningSystem;
afterEach(async () => {
  await system.stop();
});

interface Progress {
  status: string;
  enqueued: number;
  cursor: { contact: number; person: number };
  startedAt: string;
}

/** Lines of a process's output with this `message`, parsed. */
const logLines = (output: string, message: string) =>
  output
    .split('\n')
    .filter((l) => l.includes(`"message":"${message}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe.each<Topology>(['single', 'cluster', 'sentinel'])(
  'a worker SIGKILLed in the middle of a backfill (issue 11 §3), %s Redis',
  (topology) => {
    const topologyRedis = useTopologyRedis(topology);

    it('is resumed from its Redis cursor by the next worker: every record enriched once', async () => {
      // Jobs of a dead worker come back 2 s after it dies (stalled-job check), no debounce.
      system = await startSystem({
        ...onTopology(topologyRedis()),
        workerEnv: { ENRICH_DEBOUNCE_MS: '0', WORKER_LOCK_DURATION_MS: '2000' },
      });
      await expectOnTopology(topologyRedis());
      const [first] = system.workers;
      // Only the backfill enriches here: no webhook answers the new records.
      for (const hook of system.sim.webhooks()) hook.State = 'Stopped';
      for (let i = 0; i < 12; i++)
        system.sim.state.create(
          'contact',
          { Name: `Backfill ${i} AS`, OrgNr: String(920_000_100 + i), Description: 'Robot cells' },
          5,
        );
      const ids = system.sim.state.ids('contact');
      const writes = new Map<number, number>();
      system.sim.state.on('change', (change) => {
        if (change.changedByAssociateId === system.sim.state.apiUser.associateId)
          writes.set(change.primaryKey, (writes.get(change.primaryKey) ?? 0) + 1);
      });

      // Two records a second: 16 companies take 8 s, and the worker dies after the third.
      const cli = startApp('cli', system.workerEnv(), { args: ['backfill', '--rate', '120'] });
      const exited = new Promise<number | null>((resolve) => cli.child.once('exit', resolve));
      const progress = async (): Promise<Progress | undefined> => {
        const [key] = (await system.keys(`${system.redis.prefix}:backfill:Cust12345:*`)).filter(
          // The run's own key; `…:stop` and `…:outcomes` sit beside it.
          (k) => /:backfill:Cust12345:[0-9a-f]{16}$/.test(k),
        );
        const raw = key ? await system.connection.get(key) : null;
        return raw ? (JSON.parse(raw) as Progress) : undefined;
      };
      await waitFor(async () => ((await progress())?.enqueued ?? 0) >= 3, {
        timeoutMs: 30_000,
        intervalMs: 20,
        what: 'three records enqueued',
      });
      await first!.kill();
      const atCrash = (await progress())!;
      expect(atCrash.status).toBe('running');
      expect(atCrash.enqueued).toBeLessThan(ids.length);

      const second = await system.startWorker();
      expect(await exited).toBe(0);
      expect(cli.output()).toMatch(/backfill [0-9a-f]{16}: completed/);
      await system.settled();

      // The new worker went on after the cursor the dead one left, in the same run.
      const [resumed] = logLines(second.output(), 'backfill resumed');
      expect(resumed).toMatchObject({ after: 'running' });
      expect((resumed!.cursor as Progress['cursor']).contact).toBeGreaterThanOrEqual(
        atCrash.cursor.contact,
      );
      const final = (await progress())!;
      expect(final).toMatchObject({ status: 'completed', startedAt: atCrash.startedAt });
      expect(final.enqueued).toBe(ids.length);

      // Every selected company enriched, each written exactly once.
      for (const id of ids)
        expect(
          (system.sim.state.get('contact', id)!.UserDefinedFields as Record<string, string>)[
            UDF.summary
          ],
        ).not.toBe('');
      expect(ids.map((id) => writes.get(id) ?? 0)).toEqual(ids.map(() => 1));
      // No record written twice by the two processes. (A write that landed just before the kill
      // has no log line: the retry finds nothing left to write.) One provider answer per record at
      // most: asked once, or kept by the dead worker and reused.
      const written = [first!, second].flatMap((p) => logLines(p.output(), 'record written'));
      const writtenIds = written.map((l) => Number(l.recordId));
      expect(new Set(writtenIds).size).toBe(writtenIds.length);
      expect(writtenIds.every((id) => ids.includes(id))).toBe(true);
      expect(written.filter((l) => l.provider === 'called').length).toBeLessThanOrEqual(ids.length);

      // The same command again: every record is current, nothing is enqueued, read or asked.
      const again = startApp('cli', system.workerEnv(), {
        args: ['backfill', '--rate', '120', '--json'],
      });
      expect(await new Promise((resolve) => again.child.once('exit', resolve))).toBe(0);
      expect(again.output()).toMatch(/"status": "completed"/);
      expect(again.output()).toMatch(/"providerCalls": 0,/);
      expect(again.output()).toMatch(/"enqueued": 0/);
      await system.settled();
      expect(logLines(second.output(), 'record written').length).toBe(
        written.length - logLines(first!.output(), 'record written').length,
      );
    }, 120_000);
  },
);
