import supertest from 'supertest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@so-connector/queue';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import {
  ADMIN_PASSWORD,
  basicAuth,
  clearPrefix,
  ENRICH_JOB_IDS,
  EVENT_IDS,
  login,
  PLANTED,
  seedAdminData,
  startAdminReceiver,
} from './admin-harness';
import type { ReceiverUnderTest } from './receiver-harness';

let redis: TestRedis;
let prefix: string;
let readOnly: ReceiverUnderTest;
let writable: ReceiverUnderTest;
let inspector: Redis;
let enrich: Queue;

beforeAll(async () => {
  redis = await useTestRedis();
  prefix = `${redis.prefix}-bb`;
  await seedAdminData(redis.url, prefix);
  readOnly = await startAdminReceiver({ redisUrl: redis.url, prefix, write: false });
  writable = await startAdminReceiver({ redisUrl: redis.url, prefix, write: true });
  inspector = new Redis(redis.url, { maxRetriesPerRequest: null });
  enrich = new Queue(QUEUE_NAMES.enrich, { connection: inspector, prefix });
});
afterAll(async () => {
  for (const sut of [readOnly, writable]) {
    const logs = sut.logLines.join('\n');
    for (const planted of Object.values(PLANTED)) expect(logs).not.toContain(planted);
    expect(logs).not.toContain(ADMIN_PASSWORD);
    await sut.close();
  }
  await enrich.close();
  inspector.disconnect();
  await clearPrefix(redis.url, prefix);
  await redis.cleanup();
});

const api = (sut: ReceiverUnderTest) => ({
  get: (path: string) =>
    supertest(sut.url).get(`/admin/queues/api${path}`).set('Authorization', basicAuth()),
  put: (path: string) =>
    supertest(sut.url).put(`/admin/queues/api${path}`).set('Authorization', basicAuth()),
});

function expectNoPlantedSecret(text: string): void {
  for (const planted of Object.values(PLANTED)) expect(text).not.toContain(planted);
}

describe('Bull Board at /admin/queues', () => {
  it('serves its UI with a session cookie from the login form', async () => {
    const cookie = await login(readOnly.url);
    const res = await supertest(readOnly.url).get('/admin/queues').set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<base href="/admin/queues/" />');
    expect(res.text).toContain('<div id="root">');
    const config = /<script id="__UI_CONFIG__" type="application\/json">(.*?)<\/script>/.exec(
      res.text,
    )?.[1];
    expect(JSON.parse(config!)).toMatchObject({ boardTitle: 'so-connector · Cust12345' });
    const script = /src="(static\/js\/main[^"]+\.js)"/.exec(res.text)?.[1];
    const asset = await supertest(readOnly.url)
      .get(`/admin/queues/${script}`)
      .set('Cookie', cookie);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
  });

  it('does not serve even its static files without auth', async () => {
    const res = await supertest(readOnly.url).get('/admin/queues/static/images/logo.svg');
    expect(res.status).toBe(401);
  });

  it('lists so-events, so-enrich and so-maintenance', async () => {
    const res = await api(readOnly).get('/queues');
    expect(res.status).toBe(200);
    const queues = res.body.queues as { name: string; readOnlyMode: boolean }[];
    expect(queues.map((q) => q.name).sort()).toEqual(['so-enrich', 'so-events', 'so-maintenance']);
    expect(queues.every((q) => q.readOnlyMode)).toBe(true);
  });

  it('shows job data with every secret, token and signature redacted', async () => {
    const res = await api(readOnly).get(
      `/queues?activeQueue=so-events&status=waiting&page=1&jobsPerPage=50`,
    );
    expect(res.status).toBe(200);
    expectNoPlantedSecret(res.text);
    type JobData = {
      event: { FieldValues: Record<string, unknown> };
      authorization: string;
      headers: Record<string, string>;
      note: string;
    };
    const events = (
      res.body.queues as { name: string; jobs: { id: string; data: JobData }[] }[]
    ).find((q) => q.name === 'so-events')!;
    const job = events.jobs.find((j) => j.id === EVENT_IDS.acmeChanged)!;
    // The job is there, and readable; only its secrets are gone.
    expect(job.data.event.FieldValues).toEqual({ name: 'Acme AS', api_key: '[REDACTED]' });
    expect(job.data.authorization).toBe('[REDACTED]');
    expect(job.data.headers).toEqual({ 'x-superoffice-signature': '[REDACTED]' });
    expect(job.data.note).toBe('delivered with X-SuperOffice-Signature: [REDACTED]');
    // The raw job in Redis still holds it (so the test is not vacuous).
    const raw = await inspector.hget(`${prefix}:so-events:${EVENT_IDS.acmeChanged}`, 'data');
    expect(raw).toContain(PLANTED.apiKey);
  });

  it('links each job to its sync run', async () => {
    const res = await api(readOnly).get(`/queues/so-events/${EVENT_IDS.acmeChanged}`);
    expect(res.status).toBe(200);
    expect(res.body.job.externalUrl).toEqual({
      displayText: 'sync run',
      href: `/admin/jobs/so-events/${EVENT_IDS.acmeChanged}`,
    });
    const redirect = await supertest(readOnly.url)
      .get(String(res.body.job.externalUrl.href))
      .set('Authorization', basicAuth());
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe(`/admin/runs/42/${EVENT_IDS.acmeChanged}`);
  });

  it('redacts a failed job’s reason, stack trace and logs', async () => {
    const job = await api(readOnly).get(`/queues/so-enrich/${ENRICH_JOB_IDS.globex}`);
    expect(job.status).toBe(200);
    expect(job.body.status).toBe('failed');
    expect(job.body.job.failedReason).toBe(
      'PATCH /api/v1/Contact/77 failed: token=[REDACTED] Authorization: Bearer [REDACTED]',
    );
    expect(job.body.job.stacktrace.length).toBeGreaterThan(0);
    expectNoPlantedSecret(job.text);

    const logs = await api(readOnly).get(`/queues/so-enrich/${ENRICH_JOB_IDS.globex}/logs`);
    expect(logs.status).toBe(200);
    expect(logs.body).toEqual(['calling the provider with api_key=[REDACTED]']);

    const list = await api(readOnly).get('/queues?activeQueue=so-enrich&status=failed&page=1');
    expect(list.text).toContain(ENRICH_JOB_IDS.globex);
    expectNoPlantedSecret(list.text);
  });
});

describe('ADMIN_WRITE', () => {
  it('false: retry, clean and promote are refused (405) and the job stays failed', async () => {
    const bb = api(readOnly);
    const retry = await bb.put(`/queues/so-enrich/${ENRICH_JOB_IDS.globex}/retry`);
    expect(retry.status).toBe(405);
    const cleanAll = await bb.put('/queues/so-enrich/clean/failed');
    expect(cleanAll.status).toBe(405);
    const cleanOne = await bb.put(`/queues/so-enrich/${ENRICH_JOB_IDS.globex}/clean`);
    expect(cleanOne.status).toBe(405);
    const pause = await bb.put('/queues/so-events/pause');
    expect(pause.status).toBe(405);
    expect(await (await enrich.getJob(ENRICH_JOB_IDS.globex))!.getState()).toBe('failed');
    expect(await enrich.isPaused()).toBe(false);
  });

  it('true: a failed job can be retried, and jobs cleaned', async () => {
    const bb = api(writable);
    const queues = await bb.get('/queues');
    expect((queues.body.queues as { readOnlyMode: boolean }[]).every((q) => !q.readOnlyMode)).toBe(
      true,
    );

    const retry = await bb.put(`/queues/so-enrich/${ENRICH_JOB_IDS.globex}/retry`);
    expect(retry.status).toBe(204);
    expect(await (await enrich.getJob(ENRICH_JOB_IDS.globex))!.getState()).toBe('waiting');

    await enrich.add('enrich-contact', { tenant: 'x' }, { jobId: 'to-be-cleaned' });
    const cleanOne = await bb.put('/queues/so-enrich/to-be-cleaned/clean');
    expect(cleanOne.status).toBe(204);
    expect(await enrich.getJob('to-be-cleaned')).toBeUndefined();

    const cleanAll = await bb.put('/queues/so-enrich/clean/failed');
    expect(cleanAll.status).toBe(200);
  });

  it('true: still refuses a cross-site write from a browser', async () => {
    const res = await supertest(writable.url)
      .put(`/admin/queues/api/queues/so-enrich/${ENRICH_JOB_IDS.globex}/retry`)
      .set('Authorization', basicAuth())
      .set('Sec-Fetch-Site', 'cross-site');
    expect(res.status).toBe(403);
  });
});
