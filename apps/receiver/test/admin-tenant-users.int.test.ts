import supertest from 'supertest';
import { QUEUE_NAMES } from '@so-connector/queue';
import { TEST_TENANT } from '@so-connector/testing';
import { ANNA, BOB, RUNS, useAdminUsersDeployment, type SeededTenant } from './admin-users-harness';

const admin = useAdminUsersDeployment();

/** Every page of one tenant, under its own `/admin/t/{ctx}` path. */
const tenantPages = (ctx: string, run: { accountId: number; id: string }) => [
  `/admin/t/${ctx}`,
  `/admin/t/${ctx}?status=FAILED`,
  `/admin/t/${ctx}/backfills`,
  `/admin/t/${ctx}/runs/${run.accountId}/${run.id}`,
];
const jobPath = (jobId: string) => `/admin/jobs/${QUEUE_NAMES.events}/${jobId}`;
const names = (tenants: readonly SeededTenant[]) => tenants.map((t) => RUNS[t].name);

describe('a tenant admin (ADMIN_USERS) sees only its own tenant', () => {
  it("shows its tenant at /admin, signed in through the form, and no other tenant's data", async () => {
    const cookie = await admin.login(ANNA);
    const home = await supertest(admin.sut.url).get('/admin').set('Cookie', cookie);
    expect(home.status).toBe(200);
    expect(home.text).toContain(RUNS.CustA.name);
    expect(home.text).toContain('tenant CustA');
    for (const other of names([TEST_TENANT, 'CustB'])) expect(home.text).not.toContain(other);
    // Bull Board and the deployment-wide queue counts are the operator's.
    expect(home.text).not.toContain('/admin/queues');
    expect(home.text).not.toContain('id="queue-counts"');

    const list = await supertest(admin.sut.url).get('/admin/tenants').set('Cookie', cookie);
    expect(list.status).toBe(200);
    expect(list.text).toContain('data-tenant="CustA"');
    for (const other of [TEST_TENANT, 'CustB']) expect(list.text).not.toContain(other);
    expect(list.text).not.toContain('Connect a SuperOffice tenant');
  });

  it.each([TEST_TENANT, 'CustB'] as const)(
    'answers every page of another tenant (%s) exactly as one that does not exist: 404',
    async (other) => {
      const missing = tenantPages('CustNope', RUNS[other]);
      for (const [i, path] of tenantPages(other, RUNS[other]).entries()) {
        const res = await admin.get(path, ANNA);
        const unknown = await admin.get(missing[i]!, ANNA);
        expect([path, res.status]).toEqual([path, 404]);
        expect(res.text).toBe(unknown.text);
        expect(res.text).not.toContain(RUNS[other].name);
      }
      // Nor is another tenant's run found under the admin's own paths.
      const run = RUNS[other];
      for (const path of [
        `/admin/runs/${run.accountId}/${run.id}`,
        `/admin/t/CustA/runs/${run.accountId}/${run.id}`,
      ])
        expect((await admin.get(path, ANNA)).status).toBe(404);
    },
  );

  it("answers another tenant's job as a job that does not exist, and takes its own to its run", async () => {
    const nowhere = '0d7a1d7e-54d4-4f0e-9a55-0000000000ff';
    const missing = await admin.get(jobPath(nowhere), ANNA);
    for (const other of [TEST_TENANT, 'CustB'] as const) {
      const res = await admin.get(jobPath(RUNS[other].id), ANNA);
      expect(res.status).toBe(404);
      expect(res.text.replaceAll(RUNS[other].id, nowhere)).toBe(missing.text);
      expect(res.text).not.toContain(other);
      expect(res.text).not.toContain('Bull Board');
    }
    const own = await admin.get(jobPath(RUNS.CustA.id), ANNA);
    expect(own.status).toBe(302);
    expect(own.headers.location).toBe(`/admin/runs/${RUNS.CustA.accountId}/${RUNS.CustA.id}`);
  });

  it('refuses Bull Board (pages, API, job actions) and onboarding with 403', async () => {
    const cookie = await admin.login(ANNA);
    const agent = supertest(admin.sut.url);
    const form = { tenant: 'Cust999', vertical: 'SuperOffice:1' };
    const refused: [string, string][] = [
      ['GET', '/admin/queues'],
      ['GET', '/admin/queues/api/queues'],
      ['GET', `/admin/queues/api/queues/${QUEUE_NAMES.events}/${RUNS.CustA.id}`],
      ['PUT', `/admin/queues/api/queues/${QUEUE_NAMES.enrich}/retry/failed`],
      ['PUT', `/admin/queues/api/queues/${QUEUE_NAMES.events}/${RUNS.CustB.id}/retry/failed`],
      ['GET', '/admin/tenants/connect'],
      ['POST', '/admin/tenants/connect'],
      ['POST', '/admin/tenants/CustA/udf'],
      ['POST', '/admin/tenants/CustB/udf'],
    ];
    for (const [method, path] of refused) {
      const request =
        method === 'GET'
          ? agent.get(path).set('Accept', 'text/html')
          : (method === 'PUT' ? agent.put(path) : agent.post(path)).type('form').send(form);
      const res = await request.set('Cookie', cookie);
      expect([method, path, res.status]).toEqual([method, path, 403]);
      expect(res.text).not.toContain('CustB');
    }
    // The same with HTTP Basic, as a script would call it.
    expect((await admin.get('/admin/queues/api/queues', ANNA)).status).toBe(403);
  });

  it('gives an admin of two tenants both, the tenant list at /admin, and nothing else', async () => {
    const home = await admin.get('/admin', BOB);
    expect(home.status).toBe(302);
    expect(home.headers.location).toBe('/admin/tenants');
    const list = await admin.get('/admin/tenants', BOB);
    expect(list.text).toContain('data-tenant="CustA"');
    expect(list.text).toContain('data-tenant="CustB"');
    expect(list.text).not.toContain(TEST_TENANT);
    expect((await admin.get('/admin/t/custb', BOB)).text).toContain(RUNS.CustB.name);
    expect((await admin.get(`/admin/t/${TEST_TENANT}`, BOB)).status).toBe(404);
    const job = await admin.get(jobPath(RUNS.CustB.id), BOB);
    expect(job.headers.location).toBe(
      `/admin/t/CustB/runs/${RUNS.CustB.accountId}/${RUNS.CustB.id}`,
    );
  });

  it("refuses a wrong password, another user's password and an unknown user", async () => {
    for (const who of [
      { user: ANNA.user, password: BOB.password },
      { user: ANNA.user, password: `${ANNA.password}x` },
      { user: 'mallory', password: ANNA.password },
      { user: 'ANNA', password: ANNA.password },
    ]) {
      expect((await admin.get('/admin/t/CustA', who)).status).toBe(401);
      await expect(admin.login(who)).rejects.toThrow('login failed: 401');
    }
    expect(admin.sut.logLines.join('\n')).not.toContain(ANNA.password);
  });
});

describe('the operator (ADMIN_USER) sees every tenant', () => {
  it('opens every tenant page, every job, Bull Board and onboarding', async () => {
    for (const tenant of [TEST_TENANT, 'CustA', 'CustB'] as const) {
      for (const path of tenantPages(tenant, RUNS[tenant]))
        expect([path, (await admin.get(path)).status]).toEqual([path, 200]);
      const job = await admin.get(jobPath(RUNS[tenant].id));
      expect(job.status).toBe(302);
      expect(job.headers.location).toContain(`/runs/${RUNS[tenant].accountId}/${RUNS[tenant].id}`);
    }
    const home = await admin.get('/admin');
    expect(home.text).toContain('/admin/queues');
    expect(home.text).toContain('id="queue-counts"');
    expect((await admin.get('/admin/queues').set('Accept', 'text/html')).status).toBe(200);
    expect((await admin.get('/admin/queues/api/queues')).status).toBe(200);
    const list = await admin.get('/admin/tenants');
    for (const tenant of [TEST_TENANT, 'CustA', 'CustB'])
      expect(list.text).toContain(`data-tenant="${tenant}"`);
    expect(list.text).toContain('Connect a SuperOffice tenant');
    expect((await admin.get('/admin/tenants/connect')).status).not.toBe(403);
  });
});
