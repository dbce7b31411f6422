import { Worker } from 'bullmq';
import {
  BackfillProgressStore,
  createMaintenanceQueue,
  maintenanceJobSchema,
  MAINTENANCE_JOB_NAMES,
  QUEUE_NAMES,
  type BackfillResult,
  type ReconcileResult,
} from '@so-connector/queue';
import { SyncRunStore } from '@so-connector/sync-runs';
import { cli, startTestReceiver } from './cli-harness';
import { useTenantsFixture } from './tenants-fixture';

// --tenant on the commands tenant-option.int.test.ts leaves out: each acts with Cust3's own
// settings and data. The environment's own tenant (Cust12345) cannot sign in, so only Cust3's
// credentials work.
const f = useTenantsFixture();
const { env, addSimTenant } = f;
const revoked = (extra: Record<string, string> = {}) =>
  env({ SO_REFRESH_TOKEN: 'revoked-refresh-token', ...extra });

/** What the stand-in returns: an empty sweep, or a backfill of two records. */
function standInResult(
  name: string,
  data: ReturnType<typeof maintenanceJobSchema.parse>,
): ReconcileResult | BackfillResult {
  if (name === MAINTENANCE_JOB_NAMES.reconcile)
    return {
      since: data.since!,
      until: new Date().toISOString(),
      contacts: 0,
      persons: 0,
      enqueued: 0,
    };
  const { runId, dryRun } = data.backfill!;
  const counts = { matched: 2, current: 0, toEnrich: 2, providerCalls: 2, superOfficeCalls: 5 };
  return { runId, ...counts, status: dryRun ? 'dry-run' : 'completed', enqueued: dryRun ? 0 : 2 };
}

/**
 * A BullMQ worker on so-maintenance standing in for the worker's reconcile and backfill
 * processors (backfill.int.test.ts, replay.int.test.ts): it records each job's name and tenant.
 */
async function startMaintenanceStandIn() {
  const seen: { name: string; tenant: string }[] = [];
  const workerConnection = f.connection().duplicate();
  const worker = new Worker(
    QUEUE_NAMES.maintenance,
    (job) => {
      const data = maintenanceJobSchema.parse(job.data);
      seen.push({ name: job.name, tenant: data.tenant });
      return Promise.resolve(standInResult(job.name, data));
    },
    { connection: workerConnection, prefix: f.prefix() },
  );
  await worker.waitUntilReady();
  return {
    seen,
    async close() {
      await worker.close();
      // A connection passed in stays open when its worker closes (it would keep jest alive).
      await workerConnection.quit();
    },
  };
}

describe('--tenant on the other commands', () => {
  it("replay queues the reconcile job for the chosen tenant, the environment's without it", async () => {
    const e = revoked();
    await addSimTenant('Cust3', e);
    const queue = createMaintenanceQueue(f.connection(), f.prefix());
    try {
      const replay = async (args: string[]) => {
        const run = await cli([...args, 'replay', '--since', '1h', '--no-wait', '--json'], e);
        expect(run.code).toBe(0);
        const job = await queue.getJob(run.json<{ jobId: string }>().jobId);
        return { name: job?.name, tenant: (job?.data as { tenant: string }).tenant };
      };
      expect(await replay(['--tenant', 'Cust3'])).toEqual({ name: 'reconcile', tenant: 'Cust3' });
      expect(await replay([])).toEqual({ name: 'reconcile', tenant: 'Cust12345' });

      // Waiting for the result: the worker gets Cust3's job and the CLI prints its result.
      const standIn = await startMaintenanceStandIn();
      try {
        const waited = await cli(['--tenant', 'Cust3', 'replay', '--since', '1h', '--json'], e);
        expect(waited.code).toBe(0);
        expect(waited.json()).toMatchObject({ state: 'completed', result: { enqueued: 0 } });
        // The two jobs queued above first, then the one waited for.
        expect(standIn.seen.map((s) => s.tenant)).toEqual(['Cust3', 'Cust12345', 'Cust3']);
      } finally {
        await standIn.close();
      }
    } finally {
      await queue.close();
    }
  });

  it("backfill runs for the chosen tenant, apart from the environment tenant's run", async () => {
    const e = revoked();
    await addSimTenant('Cust3', e);
    const standIn = await startMaintenanceStandIn();
    try {
      const dry = await cli(['--tenant', 'Cust3', 'backfill', '--dry-run', '--json'], e);
      expect(dry.code).toBe(0);
      const runId = dry.json<{ result: BackfillResult }>().result.runId;
      expect(standIn.seen).toEqual([{ name: 'backfill', tenant: 'Cust3' }]);

      // The environment's tenant runs the same selection right now: Cust3's run is another one.
      const now = new Date().toISOString();
      await new BackfillProgressStore(f.connection(), f.prefix()).write('Cust12345', {
        runId,
        status: 'running',
        matched: 2,
        current: 0,
        toEnrich: 2,
        providerCalls: 2,
        superOfficeCalls: 5,
        enqueued: 1,
        done: 1,
        cursor: { contact: 1, person: 0 },
        startedAt: now,
        updatedAt: now,
      });
      const run = await cli(['--tenant', 'Cust3', 'backfill', '--json'], e);
      expect(run.code).toBe(0);
      expect(run.json()).toMatchObject({ result: { runId, status: 'completed', enqueued: 2 } });
      expect(standIn.seen.map((s) => s.tenant)).toEqual(['Cust3', 'Cust3']);

      const theirs = await cli(['backfill', '--json'], e);
      expect(theirs.code).toBe(1);
      expect(theirs.stderr).toContain(`backfill ${runId} of this selection is running`);
      expect(standIn.seen).toHaveLength(2);
    } finally {
      await standIn.close();
    }
  });

  it("webhooks register, list and delete act on the chosen tenant's SuperOffice and secret", async () => {
    const sim = f.sim();
    const receiver = await startTestReceiver();
    try {
      const e = revoked({ WEBHOOK_PUBLIC_URL: receiver.url, WEBHOOK_SECRET: 'env-secret' });
      const { secret } = (await addSimTenant('Cust3', e)).json<{ secret: string }>();
      // The receiver accepts only Cust3's secret: SuperOffice's registration ping must carry it.
      receiver.secrets = [secret];
      const registered = await cli(
        [
          '--tenant',
          'Cust3',
          'webhooks',
          'register',
          '--url',
          `${receiver.url}/Cust3`,
          '--secret-from-config',
          '--json',
        ],
        e,
      );
      expect(registered.code).toBe(0);
      const id = registered.json<{ webhook: { id: number } }>().webhook.id;
      expect(sim.webhooks().find((h) => h.WebhookId === id)?.Secret).toBe(secret);
      const other = { targetUrl: `${receiver.url}/Cust12345`, secret, events: ['contact.changed'] };
      expect(await sim.registerWebhook(other)).toBe(200);

      expect((await cli(['webhooks', 'list'], e)).code).toBe(3);
      const listed = await cli(['--tenant', 'Cust3', 'webhooks', 'list', '--json'], e);
      expect(listed.code).toBe(0);
      // Ours: the tenant's own route of WEBHOOK_PUBLIC_URL, `{public URL}/Cust3`.
      const mine = listed
        .json<{ webhooks: { id: number; targetUrl: string; connector: boolean }[] }>()
        .webhooks.filter((h) => h.targetUrl.startsWith(receiver.url));
      expect(mine.map((h) => [h.targetUrl, h.connector])).toEqual([
        [`${receiver.url}/Cust3`, true],
        [`${receiver.url}/Cust12345`, false],
      ]);

      for (const hook of mine)
        expect(
          (await cli(['--tenant', 'Cust3', 'webhooks', 'delete', String(hook.id)], e)).code,
        ).toBe(0);
      const left = f
        .sim()
        .webhooks()
        .map((h) => h.WebhookId);
      expect(left.filter((hookId) => mine.some((h) => h.id === hookId))).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it("discover, create-test-company, raw and verify read and write the chosen tenant's SuperOffice", async () => {
    const e = revoked();
    await addSimTenant('Cust3', e);
    expect((await cli(['discover', '--json'], e)).code).toBe(3);
    const discovered = await cli(['--tenant', 'Cust3', 'discover', '--json'], e);
    expect(discovered.code).toBe(0);
    const udfs = discovered.json<{ udfs: { key: string; listItems: unknown[] | null }[] }>().udfs;
    expect(udfs.find((u) => u.key === 'SuperOffice:83')?.listItems).toHaveLength(8);

    expect((await cli(['create-test-company', '--name', 'Env AS'], e)).code).toBe(3);
    const created = await cli(
      ['--tenant', 'Cust3', 'create-test-company', '--name', 'Cust3 Test AS', '--json'],
      e,
    );
    expect(created.code).toBe(0);
    const { contactId } = created.json<{ contactId: number }>();
    expect(f.sim().state.get('contact', contactId)?.Name).toBe('Cust3 Test AS');

    expect((await cli(['raw', 'GET', `/v1/Contact/${contactId}`], e)).code).toBe(3);
    const raw = await cli(['--tenant', 'Cust3', 'raw', 'GET', `/v1/Contact/${contactId}`], e);
    expect(raw.code).toBe(0);
    expect(raw.json()).toMatchObject({ ContactId: contactId, Name: 'Cust3 Test AS' });

    // The sync-run log of each tenant: verify compares Cust3's writes only.
    const store = new SyncRunStore({ redis: f.connection(), prefix: f.prefix() });
    for (const [tenant, key] of [
      ['Cust3', 'SuperOffice:84'],
      ['Cust12345', 'SuperOffice:85'],
    ] as const)
      await store.record({
        id: `enrich:${tenant}`,
        kind: 'enrichment',
        tenant,
        accountId: contactId,
        at: new Date().toISOString(),
        status: 'COMPLETED',
        record: { entity: 'contact', id: contactId },
        fieldsWritten: [{ key, old: '', new: `written for ${tenant}` }],
      });
    const udf = f.sim().state.get('contact', contactId)!.UserDefinedFields as object;
    f.sim().editAs(5, 'contact', contactId, {
      UserDefinedFields: { ...udf, 'SuperOffice:84': 'written for Cust3' },
    });
    expect((await cli(['verify', String(contactId)], e)).code).toBe(3);
    const verified = await cli(['--tenant', 'Cust3', 'verify', String(contactId), '--json'], e);
    expect(verified.code).toBe(0);
    expect(verified.json()).toEqual({
      contactId,
      differences: 0,
      fields: [
        expect.objectContaining({
          key: 'SuperOffice:84',
          written: 'written for Cust3',
          status: 'match',
        }),
      ],
    });
  });
});
