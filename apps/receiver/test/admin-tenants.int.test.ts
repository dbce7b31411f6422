import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import supertest from 'supertest';
import { Redis } from 'ioredis';
import { createLogger } from '@so-connector/logger';
import {
  BackfillProgressStore,
  createEnrichQueue,
  createEventsQueue,
  createMaintenanceQueue,
  QUEUE_NAMES,
} from '@so-connector/queue';
import {
  ActivityCounters,
  SyncRunStore,
  WebhookHealthStore,
  type RunFact,
} from '@so-connector/sync-runs';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { adminRouter } from '../src/admin/admin.router';
import { whenReady } from '../src/admin/redis-ready';
import { tenantStatusReader } from '../src/admin/tenant-status';
import { aTenant } from '@so-connector/tenants/testing';
import {
  fixedTenants,
  registryTenants,
  tenantsFor,
  type AdminTenants,
} from '../src/admin/tenant-scope';
import { ADMIN_PASSWORD, ADMIN_USER, basicAuth } from './admin-harness';

let redis: TestRedis;
let connection: Redis;
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  connection.disconnect();
  await redis.cleanup();
});

const AT = '2026-11-30T10:00:00.000Z';
const EVENT_ID = '5c1e0d64-0000-4000-8000-000000000002';

function runFact(tenant: string, accountId: number, accountName: string, id: string): RunFact {
  return {
    tenant,
    accountId,
    accountName,
    id,
    kind: 'event',
    at: AT,
    status: 'QUEUED',
    record: { entity: 'contact', id: accountId },
    event: 'contact.changed',
    reason: 'relevant: name changed',
    job: { queue: QUEUE_NAMES.events, id },
  };
}

/** Two tenants' data in one Redis, and an admin UI over it whose tenants the test chooses. */
async function startAdmin(prefix: string, tenants: AdminTenants) {
  const runs = new SyncRunStore({ redis: connection, prefix });
  await runs.record(runFact('Cust1', 42, 'Acme AS', 'run-acme'));
  await runs.record(runFact('Cust2', 77, 'Globex Corp', EVENT_ID));
  const health = new WebhookHealthStore({ redis: connection, prefix });
  await health.write({
    tenant: 'Cust2',
    checkedAt: AT,
    alerts: 1,
    webhooks: [
      {
        id: 7,
        name: 'so-connector',
        state: 'TooManyErrors',
        targetUrl: 'https://so.example.com/webhooks/superoffice/Cust2',
        events: ['contact.changed'],
      },
    ],
  });
  const queues = [
    createEventsQueue(connection, prefix),
    createEnrichQueue(connection, prefix),
    createMaintenanceQueue(connection, prefix),
  ];
  await queues[0]!.add(
    'contact.changed',
    { tenant: 'Cust2', event: { PrimaryKey: 77, Entity: 'contact' } } as never,
    { jobId: EVENT_ID },
  );
  const app = express();
  app.use(
    '/admin',
    adminRouter({
      credentials: { user: ADMIN_USER, password: ADMIN_PASSWORD },
      write: false,
      tenants,
      queues,
      runs,
      status: tenantStatusReader(connection, prefix),
      webhookHealth: health,
      activity: new ActivityCounters({ redis: connection, prefix }),
      backfills: new BackfillProgressStore(connection, prefix),
      logger: createLogger({
        component: 'admin-test',
        level: 'error',
        format: 'json',
        destination: new PassThrough(),
      }),
      redisReady: whenReady(connection),
      knownSecrets: [],
      failedLoginDelayMs: 0,
    }),
  );
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get: (path: string) => supertest(url).get(path).set('Authorization', basicAuth()),
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}

describe('admin UI with several tenants', () => {
  const both = fixedTenants(['Cust1', 'Cust2']); // Cust1 is the default

  it("shows the default tenant at /admin and another tenant's runs only under its own path", async () => {
    const admin = await startAdmin(`${redis.prefix}-a`, both);
    try {
      const home = await admin.get('/admin');
      expect(home.status).toBe(200);
      expect(home.text).toContain('Acme AS');
      expect(home.text).not.toContain('Globex Corp');
      expect(home.text).toContain('href="/admin/runs/42/run-acme"');

      const other = await admin.get('/admin/t/cust2');
      expect(other.status).toBe(200);
      expect(other.text).toContain('Globex Corp');
      expect(other.text).not.toContain('Acme AS');
      expect(other.text).toContain(`href="/admin/t/Cust2/runs/77/${EVENT_ID}"`);
      expect(other.text).toContain('action="/admin/t/Cust2"');
      expect(other.text).toContain('TooManyErrors');

      expect((await admin.get(`/admin/t/Cust2/runs/77/${EVENT_ID}`)).status).toBe(200);
      // One tenant's run is not found under another tenant's path.
      expect((await admin.get('/admin/t/Cust2/runs/42/run-acme')).status).toBe(404);
      expect((await admin.get(`/admin/runs/77/${EVENT_ID}`)).status).toBe(404);
      expect((await admin.get('/admin/t/Cust2/backfills')).status).toBe(200);
    } finally {
      await admin.close();
    }
  });

  it('refuses a tenant it does not serve', async () => {
    const admin = await startAdmin(`${redis.prefix}-b`, both);
    try {
      const res = await admin.get('/admin/t/Cust3');
      expect(res.status).toBe(404);
      expect(res.text).toContain('This connector serves no such tenant.');
    } finally {
      await admin.close();
    }
  });

  it('lists every tenant with its webhook health and latest run', async () => {
    const admin = await startAdmin(`${redis.prefix}-c`, both);
    try {
      const res = await admin.get('/admin/tenants');
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/<tr data-tenant="Cust1"><td><a href="\/admin">Cust1<\/a>/);
      expect(res.text).toMatch(
        /<tr data-tenant="Cust2"><td><a href="\/admin\/t\/Cust2">Cust2<\/a>/,
      );
      expect(res.text).toContain('1 of 1 not active: TooManyErrors');
      expect(res.text).toContain('no check yet');
    } finally {
      await admin.close();
    }
  });

  it('sends /admin to the tenant list when no tenant is the default', async () => {
    const several: AdminTenants = {
      list: () => ['Cust1', 'Cust2'],
      defaultTenant: () => undefined,
    };
    const admin = await startAdmin(`${redis.prefix}-d`, several);
    try {
      const res = await admin.get('/admin');
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('/admin/tenants');
      expect((await admin.get('/admin/t/Cust1')).status).toBe(200);
    } finally {
      await admin.close();
    }
  });

  it("takes a job to the sync run of the job's own tenant", async () => {
    const admin = await startAdmin(`${redis.prefix}-e`, both);
    try {
      const res = await admin.get(`/admin/jobs/${QUEUE_NAMES.events}/${EVENT_ID}`);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`/admin/t/Cust2/runs/77/${EVENT_ID}`);
    } finally {
      await admin.close();
    }
  });

  it("names the fields written by each tenant's own UDF map, the ProgId as the tooltip", async () => {
    // Two tenants of the registry, each writing other UDFs (TENANTS_FILE's or the store's map).
    const registry = {
      list: () => [
        aTenant('Cust1', {
          udf: {
            vertical: 'SuperOffice:1',
            summary: undefined,
            opener: undefined,
            personOpener: undefined,
          },
        }),
        aTenant('Cust2', {
          udf: {
            vertical: 'SuperOffice:5',
            summary: 'SuperOffice:6',
            opener: undefined,
            personOpener: 'SuperOffice:1',
          },
        }),
      ],
    };
    const admin = await startAdmin(`${redis.prefix}-f`, registryTenants(registry, 'Cust1'));
    const runs = new SyncRunStore({ redis: connection, prefix: `${redis.prefix}-f` });
    await runs.record({
      ...runFact('Cust2', 77, 'Globex Corp', `enrich:${EVENT_ID}`),
      kind: 'enrichment',
      status: 'COMPLETED',
      reason: 'written',
      fieldsWritten: [
        { key: 'SuperOffice:5', old: '', new: '[I:3]' },
        { key: 'SuperOffice:6', old: '', new: 'Makes widgets' },
        { key: 'SuperOffice:9', old: '', new: 'not in its map' },
      ],
    });
    try {
      const field = (key: string, name: string) =>
        `<span class="field" title="${key}">${name}</span>`;
      const list = await admin.get('/admin/t/Cust2');
      expect(list.status).toBe(200);
      expect(list.text).toContain(
        `${field('SuperOffice:5', 'Vertical')}, ${field('SuperOffice:6', 'Summary')}, <span class="field">SuperOffice:9</span>`,
      );
      const detail = await admin.get(`/admin/t/Cust2/runs/77/${EVENT_ID}`);
      expect(detail.status).toBe(200);
      expect(detail.text).toContain(`<b>${field('SuperOffice:5', 'Vertical')}</b>`);
      // A tenant admin of Cust2 is given the same map.
      const own = tenantsFor(registryTenants(registry, 'Cust1'), {
        kind: 'tenant',
        user: 'anna',
        tenants: ['Cust2'],
      });
      expect(own.udf?.('Cust2')?.summary).toBe('SuperOffice:6');
    } finally {
      await admin.close();
    }
  });
});
