import { Redis } from 'ioredis';
import supertest from 'supertest';
import { BackfillProgressStore, selectionOf, type BackfillProgress } from '@so-connector/queue';
import {
  startRedisServer,
  TEST_TENANT,
  useTestRedis,
  waitFor,
  type TestRedis,
} from '@so-connector/testing';
import { ADMIN_PASSWORD, basicAuth, clearPrefix, login, startAdminReceiver } from './admin-harness';

let redis: TestRedis;
beforeAll(async () => {
  redis = await useTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

const IDS_IN_FILE = [424242, 434343, 454545];

/** What the worker leaves in Redis for two runs: one finished with outcomes, one running. */
async function seedBackfills(url: string, prefix: string): Promise<void> {
  const connection = new Redis(url, { maxRetriesPerRequest: 1 });
  const store = new BackfillProgressStore(connection, prefix);
  const base = {
    status: 'running' as BackfillProgress['status'],
    matched: 0,
    current: 0,
    toEnrich: 0,
    providerCalls: 0,
    superOfficeCalls: 0,
    enqueued: 0,
    done: 0,
    cursor: { contact: 0, person: 0 },
  };
  try {
    await store.write(TEST_TENANT, {
      ...base,
      runId: 'a1b2c3d4e5f60001',
      status: 'completed',
      matched: 5,
      current: 2,
      toEnrich: 3,
      providerCalls: 3,
      enqueued: 3,
      done: 5,
      startedAt: '2026-11-30T08:00:00.000Z',
      updatedAt: '2026-11-30T08:01:00.000Z',
      finishedAt: '2026-11-30T08:01:00.000Z',
      selection: selectionOf({
        runId: 'a1b2c3d4e5f60001',
        entities: 'contacts',
        owners: [12, 14],
        targetEmpty: true,
        ids: IDS_IN_FILE,
        ratePerMinute: 120,
        maxProviderCalls: 2000,
        dryRun: false,
      }),
    });
    await store.countOutcome(TEST_TENANT, 'a1b2c3d4e5f60001', 'enriched', true);
    await store.countOutcome(TEST_TENANT, 'a1b2c3d4e5f60001', 'enriched', false);
    await store.countOutcome(TEST_TENANT, 'a1b2c3d4e5f60001', 'unchanged', false);
    await store.write(TEST_TENANT, {
      ...base,
      runId: 'b1b2c3d4e5f60002',
      matched: 40,
      enqueued: 7,
      done: 7,
      startedAt: '2026-11-30T09:00:00.000Z',
      updatedAt: '2026-11-30T09:00:07.000Z',
      selection: selectionOf({
        runId: 'b1b2c3d4e5f60002',
        entities: 'both',
        targetEmpty: false,
        ratePerMinute: 60,
        dryRun: false,
      }),
    });
    // Ctrl-C's key is beside the run's own: not a run of its own.
    await store.requestStop(TEST_TENANT, 'b1b2c3d4e5f60002');
  } finally {
    await connection.quit();
  }
}

/** `[runId, status, cells…]` of each row of the backfill table. */
const rows = (page: string) =>
  [...page.matchAll(/<tr data-backfill="([^"]+)" data-status="([a-z-]+)">(.*?)<\/tr>/g)].map(
    (m) => [m[1], m[2], ...[...m[3]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1])],
  );

describe('/admin/backfills', () => {
  const prefix = () => `${redis.prefix}-backfills`;

  it('lists each run, newest first: selection, state, counts, started and finished', async () => {
    await seedBackfills(redis.url, prefix());
    const sut = await startAdminReceiver({ redisUrl: redis.url, prefix: prefix() });
    try {
      expect((await supertest(sut.url).get('/admin/backfills')).status).toBe(401);
      const res = await supertest(sut.url)
        .get('/admin/backfills')
        .set('Cookie', await login(sut.url));
      expect(res.status).toBe(200);
      const [running, completed] = rows(res.text);
      expect(rows(res.text)).toHaveLength(2);
      // run, selection, state, matched, current, enqueued, enriched, unchanged, skipped, provider calls.
      expect(running!.slice(0, 2)).toEqual(['b1b2c3d4e5f60002', 'running']);
      expect(running!.slice(3, 4)).toEqual(['both · 60/min']);
      expect(running!.slice(5, 12)).toEqual(['40', '0', '7', '0', '0', '0', '0']);
      expect(running![13]).toContain('–');
      expect(completed!.slice(0, 2)).toEqual(['a1b2c3d4e5f60001', 'completed']);
      expect(completed![3]).toBe(
        'contacts · owner 12, 14 · target empty · 3 ids · 120/min · cap 2000',
      );
      expect(completed!.slice(5, 12)).toEqual(['5', '2', '3', '2', '1', '0', '1']);
      expect(completed![12]).toContain('datetime="2026-11-30T08:00:00.000Z"');
      expect(completed![13]).toContain('datetime="2026-11-30T08:01:00.000Z"');
      // An ids file is shown by its size, never its contents; no secret is on the page.
      for (const id of IDS_IN_FILE) expect(res.text).not.toContain(String(id));
      expect(res.text).not.toContain(ADMIN_PASSWORD);
      // Every signed-in page links to it.
      const home = await supertest(sut.url).get('/admin').set('Authorization', basicAuth());
      expect(home.text).toContain('<a href="/admin/backfills">Backfills</a>');
    } finally {
      await sut.close();
      await clearPrefix(redis.url, prefix());
    }
  });

  it('says so when there is no run, answers 503 with a banner while Redis is down, and recovers', async () => {
    const server = await startRedisServer();
    const sut = await startAdminReceiver({ redisUrl: server.url, prefix: prefix() });
    try {
      const cookie = await login(sut.url);
      const empty = await supertest(sut.url).get('/admin/backfills').set('Cookie', cookie);
      expect(empty.status).toBe(200);
      expect(empty.text).toContain('id="no-backfills"');
      await server.kill();
      const down = await supertest(sut.url).get('/admin/backfills').set('Cookie', cookie);
      expect(down.status).toBe(503);
      expect(down.text).toContain('The backfill runs could not be read');
      await server.start();
      await waitFor(
        async () =>
          (await supertest(sut.url).get('/admin/backfills').set('Cookie', cookie)).status === 200,
        { timeoutMs: 30_000, what: 'the page to recover' },
      );
    } finally {
      await sut.close();
      await server.dispose();
    }
  });
});
