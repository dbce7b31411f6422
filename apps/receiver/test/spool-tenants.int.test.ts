import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import type { EventJobData } from '@so-connector/queue';
import { aWebhookEvent, startRedisServer, TEST_TENANT, waitFor } from '@so-connector/testing';
import { eventsQueue, SECRET, signedDelivery, startReceiverForTest } from './receiver-harness';
import { fileTenant, registryWithFile, secretOf, writeTenantsFile } from './tenants-harness';

describe('disk spool with many tenants', () => {
  it('keeps the tenant of each spooled event, through the spool file into the job', async () => {
    // Undone in reverse order, whatever fails.
    const cleanup: (() => unknown)[] = [];
    try {
      // The test stops Redis, so it uses a redis-server of its own on a free port.
      const redisServer = await startRedisServer({ appendOnly: 'everysec' });
      cleanup.unshift(() => redisServer.dispose());
      const dir = mkdtempSync(join(tmpdir(), 'so-spool-tenants-'));
      cleanup.unshift(() => rmSync(dir, { recursive: true, force: true }));
      const tenantsFile = join(dir, 'tenants.yaml');
      writeTenantsFile(tenantsFile, fileTenant('CustA'), fileTenant('CustB'));
      const tenants = await registryWithFile(tenantsFile);
      cleanup.unshift(() => tenants.close());
      const sut = await startReceiverForTest({
        redisUrl: redisServer.url,
        prefix: 'spool-tenants',
        tenants,
      });
      cleanup.unshift(() => sut.close());
      const inspect = eventsQueue(redisServer.url, 'spool-tenants');
      cleanup.unshift(() => inspect.close());

      await redisServer.kill();
      const deliveries = [
        {
          path: '/webhooks/superoffice/custa',
          event: aWebhookEvent({ ContextIdentifier: 'CustA' }),
          secret: secretOf('CustA'),
        },
        {
          path: '/webhooks/superoffice',
          event: aWebhookEvent({ ContextIdentifier: 'custb' }),
          secret: secretOf('CustB'),
        },
        { path: '/webhooks/superoffice', event: aWebhookEvent(), secret: SECRET },
      ];
      for (const { path, event, secret } of deliveries) {
        const delivery = signedDelivery(event, secret);
        const res = await supertest(sut.url).post(path).set(delivery.headers).send(delivery.text);
        expect(res.body).toEqual({ status: 'spooled', eventId: event.EventId });
      }
      const files = readdirSync(sut.spoolDir).filter((f) => f.endsWith('.json'));
      const spooledTenants = files.map(
        (f) => (JSON.parse(readFileSync(join(sut.spoolDir, f), 'utf8')) as EventJobData).tenant,
      );
      expect(spooledTenants.sort()).toEqual(['CustA', 'CustB', TEST_TENANT].sort());

      await redisServer.start();
      const expected = ['CustA', 'CustB', TEST_TENANT];
      for (const [index, { event }] of deliveries.entries()) {
        const job = await waitFor(() => inspect.queue.getJob(event.EventId), {
          timeoutMs: 15_000,
          what: `spooled job ${index} in Redis`,
        });
        expect(job.data).toMatchObject({ tenant: expected[index], spooled: true, event });
      }
    } finally {
      for (const step of cleanup) await step();
    }
  });
});
