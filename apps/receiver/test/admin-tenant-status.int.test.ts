import { Redis } from 'ioredis';
import supertest from 'supertest';
import { TenantBudgets } from '@so-connector/queue';
import { reconsentKey, tenantPauseKey, type ReconsentMark } from '@so-connector/tenants';
import { aWebhookEvent, TEST_TENANT, waitFor } from '@so-connector/testing';
import { signedDelivery } from './receiver-harness';
import { secretOf } from './tenants-harness';
import { ANNA, CUSTA_BUDGET, useAdminUsersDeployment } from './admin-users-harness';

const admin = useAdminUsersDeployment();

/** One tenant's row of `/admin/tenants`. */
const rowOf = (page: string, tenant: string) =>
  new RegExp(`<tr data-tenant="${tenant}">.*?</tr>`, 's').exec(page)?.[0] ?? '';
/** The time in a row's "last event" cell (ISO), if any. */
const lastEventOf = (row: string) => /<td data-last-event><time datetime="([^"]+)"/.exec(row)?.[1];

describe('tenant status on /admin/tenants and the tenant page', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(admin.redis.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(() => redis.disconnect());

  it("shows the worker's re-consent mark and the budget spent this window", async () => {
    const mark: ReconsentMark = {
      contextIdentifier: 'CustA',
      since: '2026-11-30T09:15:00.000Z',
      reason: 'invalid_grant',
      credential: '0123456789abcdef',
    };
    // What the worker writes (ReconsentStore and TenantBudgets share these key formats).
    await redis.hset(reconsentKey(admin.prefix), 'CustA', JSON.stringify(mark));
    const budgets = new TenantBudgets(redis, admin.prefix);
    // Spent in this window and the next, so a page read across a window boundary says the same.
    const now = Date.now();
    for (const at of [now, now + 60_000])
      await budgets.reserve('CustA', 'superoffice', CUSTA_BUDGET.superofficeCallsPerMinute, 7, at);
    for (const at of [now, now + 3_600_000])
      await budgets.reserve('CustA', 'provider', CUSTA_BUDGET.providerCallsPerHour, 5, at);

    const page = (await admin.get('/admin/tenants')).text;
    const custA = rowOf(page, 'CustA');
    expect(custA).toContain('needs re-consent');
    expect(custA).toContain('invalid_grant');
    expect(custA).toContain('2026-11-30 09:15:00');
    expect(custA).toContain('data-budget="superoffice">7 / 10 SuperOffice calls a minute<');
    expect(custA).toContain('5 / 5 provider calls an hour');
    expect(custA).toContain('spent: jobs deferred until');
    expect(custA).not.toContain('0123456789abcdef');
    const custB = rowOf(page, 'CustB');
    expect(custB).toContain('no budget');
    expect(custB).not.toContain('re-consent');

    // The tenant's own page says the same, to its tenant admin too.
    for (const who of [undefined, ANNA]) {
      const own = (await admin.get('/admin/t/CustA', who)).text;
      expect(own).toContain('id="tenant-status"');
      expect(own).toContain('needs re-consent');
      expect(own).toContain('5 / 5 provider calls an hour');
    }
    const other = (await admin.get('/admin/t/CustB')).text;
    expect(other).toContain('not needed');
  });

  it('shows a tenant paused by a Retry-After, until when, on its row and its page', async () => {
    const until = Date.now() + 600_000;
    // What the worker's TenantPauses writes (the same key format).
    await redis.set(
      tenantPauseKey(admin.prefix, 'CustB', 'superoffice'),
      String(until),
      'PX',
      600_000,
    );
    try {
      const row = rowOf((await admin.get('/admin/tenants')).text, 'CustB');
      expect(row).toContain('data-pause="superoffice"');
      expect(row).toContain('SuperOffice asked to wait (Retry-After)');
      expect(row).toContain(new Date(until).toISOString().slice(0, 16).replace('T', ' '));
      expect((await admin.get('/admin/t/CustB')).text).toContain('data-pause="superoffice"');
      expect(rowOf((await admin.get('/admin/tenants')).text, 'CustA')).not.toContain('data-pause');
    } finally {
      await redis.del(tenantPauseKey(admin.prefix, 'CustB', 'superoffice'));
    }
  });

  it('shows when the receiver last queued an event of the tenant', async () => {
    const before = rowOf((await admin.get('/admin/tenants')).text, 'CustB');
    expect(before).toContain('<td data-last-event><span class="muted">–</span></td>');
    const sentAt = Date.now();
    const delivery = signedDelivery(
      aWebhookEvent({ ContextIdentifier: 'CustB' }),
      secretOf('CustB'),
    );
    const res = await supertest(admin.sut.url)
      .post('/webhooks/superoffice/CustB')
      .set(delivery.headers)
      .send(delivery.text);
    expect(res.status).toBe(200);
    // The receiver writes what it noted once a second.
    const shown = await waitFor(
      async () => lastEventOf(rowOf((await admin.get('/admin/tenants')).text, 'CustB')),
      { what: "CustB's last event on /admin/tenants" },
    );
    expect(Date.parse(shown)).toBeGreaterThanOrEqual(sentAt);
    expect((await admin.get('/admin/t/CustB')).text).toContain(`<time datetime="${shown}"`);
    // Only that tenant's: the environment's tenant received nothing.
    expect(
      lastEventOf(rowOf((await admin.get('/admin/tenants')).text, TEST_TENANT)),
    ).toBeUndefined();
  });
});
