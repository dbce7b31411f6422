import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { aWebhookEvent, TEST_TENANT, useTestRedis, type TestRedis } from '@so-connector/testing';
import {
  SECRET,
  signedDelivery,
  startReceiverForTest,
  type ReceiverUnderTest,
} from './receiver-harness';
import { fileTenant, secretOf, writeTenantsFile } from './tenants-harness';

// A deployment whose every tenant comes from TENANTS_FILE: no SO_CONTEXT_IDENTIFIER, no
// WEBHOOK_SECRET in the environment (issue 12). The receiver starts as main.ts starts it.
let redis: TestRedis;
let dir: string;
let sut: ReceiverUnderTest;
beforeAll(async () => {
  redis = await useTestRedis();
  dir = mkdtempSync(join(tmpdir(), 'so-file-tenants-only-'));
  const file = join(dir, 'tenants.yaml');
  writeTenantsFile(file, fileTenant('CustA'), fileTenant('CustB'));
  sut = await startReceiverForTest({
    redisUrl: redis.url,
    prefix: `${redis.prefix}-fileonly`,
    withoutEnvironmentTenant: true,
    env: { TENANTS_FILE: file },
  });
});
afterAll(async () => {
  try {
    await sut?.events.obliterate({ force: true });
    await sut?.close();
  } finally {
    await redis.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

function deliver(path: string, ctx: string, secret: string) {
  const event = aWebhookEvent({ ContextIdentifier: ctx });
  const delivery = signedDelivery(event, secret);
  return {
    eventId: event.EventId,
    response: supertest(sut.url).post(path).set(delivery.headers).send(delivery.text),
  };
}

async function queued(): Promise<[string, string][]> {
  const jobs = await sut.events.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
  return jobs.map((job) => [job.data.tenant, job.data.event.EventId]);
}

describe('a receiver with only TENANTS_FILE', () => {
  it("queues a file tenant's signed webhook on its own path", async () => {
    const { eventId, response } = deliver(
      '/webhooks/superoffice/CustA',
      'CustA',
      secretOf('CustA'),
    );
    expect((await response).status).toBe(200);
    expect(await queued()).toContainEqual(['CustA', eventId]);
  });

  it('takes the tenant from the body on /webhooks/superoffice', async () => {
    const { eventId, response } = deliver('/webhooks/superoffice', 'CustB', secretOf('CustB'));
    expect((await response).status).toBe(200);
    expect(await queued()).toContainEqual(['CustB', eventId]);
  });

  it('serves no environment tenant and queues nothing refused', async () => {
    const before = (await queued()).length;
    const path = deliver(`/webhooks/superoffice/${TEST_TENANT}`, TEST_TENANT, SECRET);
    expect((await path.response).status).toBe(401);
    const body = deliver('/webhooks/superoffice', TEST_TENANT, SECRET);
    expect((await body.response).status).toBe(401);
    const crossed = deliver('/webhooks/superoffice/CustA', 'CustA', secretOf('CustB'));
    expect((await crossed.response).status).toBe(401);
    expect((await queued()).length).toBe(before);
  });
});
