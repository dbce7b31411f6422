import { Redis } from 'ioredis';
import { createMaintenanceQueue, MAINTENANCE_JOB_NAMES } from '@so-connector/queue';
import { waitFor } from '@so-connector/testing';
import { B, udfsOf, useTwoTenants } from './tenants-harness';
import { UDF } from './worker-harness';

const A = 'Cust12345';
const HUMAN = 5;
const system = useTwoTenants();

describe('worker: maintenance per tenant', () => {
  it("gives every registered tenant its schedulers and runs a tenant's watchdog and sweep with its own client", async () => {
    const t = await system.start({ env: { WATCHDOG_INTERVAL_MS: '3600000' } });
    const connection = new Redis(system.redis().url, { maxRetriesPerRequest: null });
    const maintenance = createMaintenanceQueue(connection, system.redis().prefix);
    try {
      const schedulerKeys = async () =>
        (await maintenance.getJobSchedulers()).map((s) => s.key).sort();
      expect(await schedulerKeys()).toEqual([
        `${MAINTENANCE_JOB_NAMES.watchdog}:${A}`,
        `${MAINTENANCE_JOB_NAMES.watchdog}:${B.contextIdentifier}`,
      ]);
      await t.settled();

      // B's webhook is parked (its deliveries fail); A's stays active.
      t.failDeliveries(true);
      for (let i = 1; i <= 3; i++)
        t.simB.editAs(HUMAN, 'contact', 4, { Name: `Helse Vest Klinikk ${i}` });
      await waitFor(() => t.simB.webhooks()[0]?.State === 'TooManyErrors', {
        what: "B's webhook parked",
      });
      t.failDeliveries(false);
      // A webhook on another tenant's route is not B's (the watchdog matches B's own route).
      await t.simB.registerWebhook({
        targetUrl: t.simB.webhooks()[0]!.TargetUrl.replace(/Cust2$/, 'Cust3'),
        secret: 'other',
        events: ['contact.changed'],
      });
      const job = await maintenance.add(MAINTENANCE_JOB_NAMES.watchdog, {
        tenant: B.contextIdentifier,
        trigger: 'cli',
      });
      const outcome = await waitFor(async () => (await maintenance.getJob(job.id!))?.returnvalue, {
        timeoutMs: 10_000,
        what: "B's watchdog",
      });
      expect(outcome).toMatchObject({ checked: 1, reactivated: [t.simB.webhooks()[0]!.WebhookId] });
      expect(t.simB.webhooks()[0]!.State).toBe('Active');
      expect(t.simA.webhooks()[0]!.State).toBe('Active');
      // The watchdog's sweep finds what B's parked webhook dropped and enriches it in B.
      await waitFor(() => udfsOf(t.simB, 4)[B.udf.summary]?.includes('Helse Vest Klinikk 3'), {
        timeoutMs: 15_000,
        what: "B's sweep",
      });
      expect(String(udfsOf(t.simA, 4)[UDF.summary] ?? '')).not.toContain('Helse Vest Klinikk 3');

      await t.store.remove(B.contextIdentifier);
      await waitFor(async () => (await schedulerKeys()).length === 1, {
        what: "B's schedulers removed",
      });
      expect(await schedulerKeys()).toEqual([`${MAINTENANCE_JOB_NAMES.watchdog}:${A}`]);
    } finally {
      await maintenance.close();
      connection.disconnect();
    }
  });
});
