import supertest from 'supertest';
import { aContactChangedEvent, startRedisServer, waitFor } from '@so-connector/testing';
import {
  basicAuth,
  ENRICH_JOB_IDS,
  EVENT_IDS,
  login,
  seedAdminData,
  startAdminReceiver,
} from './admin-harness';
import { expectNoSecrets, useAdminRedis, useSeededAdminReceiver } from './admin-seeded';
import { signedDelivery } from './receiver-harness';

const redisHolder = useAdminRedis();

describe('admin UI switched on', () => {
  const admin = useSeededAdminReceiver(redisHolder);

  describe('/admin: sync runs', () => {
    const get = (path: string) =>
      supertest(admin.sut.url).get(path).set('Authorization', basicAuth());
    const runRows = (page: string) =>
      [...page.matchAll(/<tr data-run="([^"]+)" data-status="([A-Z]+)">/g)].map((m) => [
        m[1],
        m[2],
      ]);

    it('lists one row per run, newest first, with its status by the priority rule', async () => {
      const res = await get('/admin');
      expect(res.status).toBe(200);
      expect(runRows(res.text)).toEqual([
        [admin.seeded.runs.initech, 'SKIPPED'],
        [admin.seeded.runs.globex, 'FAILED'],
        // COMPLETED although its last event (an echo) was SKIPPED.
        [admin.seeded.runs.acme, 'COMPLETED'],
      ]);
      expect(res.text).toContain('Acme AS</a> <span class="muted small">#42</span>');
      expect(res.text).toContain('Ola Nordmann');
      expect(res.text).toMatch(
        /data-run="[^"]+" data-status="COMPLETED">.*<td class="num">2<\/td>/,
      );
      // The fields by name (SO_UDF_*), the UDF key as the tooltip.
      expect(res.text).toContain(
        '<span class="field" title="SuperOffice:1">Vertical</span>, <span class="field" title="SuperOffice:2">Summary</span>',
      );
      expect(res.text).toContain(`href="/admin/runs/42/${admin.seeded.runs.acme}"`);
      expectNoSecrets(res.text);
    });

    it('filters by status', async () => {
      const res = await get('/admin?status=FAILED');
      expect(runRows(res.text)).toEqual([[admin.seeded.runs.globex, 'FAILED']]);
      expect(res.text).toContain('<option value="FAILED" selected>');
    });

    it('filters by account name (part, any case) or id, and both filters together', async () => {
      expect(runRows((await get('/admin?account=acme')).text)).toEqual([
        [admin.seeded.runs.acme, 'COMPLETED'],
      ]);
      expect(runRows((await get('/admin?account=77')).text)).toEqual([
        [admin.seeded.runs.globex, 'FAILED'],
      ]);
      const none = await get('/admin?account=acme&status=FAILED');
      expect(runRows(none.text)).toEqual([]);
      expect(none.text).toContain('No sync runs match.');
      expect(none.text).toContain('name="account" value="acme"');
    });

    it('escapes what it shows from the query string', async () => {
      const res = await get(`/admin?account=${encodeURIComponent('"><script>alert(1)</script>')}`);
      expect(res.text).not.toContain('<script>alert(1)');
      expect(res.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    });

    it('shows the webhook health: each webhook’s state, the last error, last check and alerts', async () => {
      const res = await get('/admin');
      const section = /<table id="webhook-health">[\s\S]*?<\/section>/.exec(res.text)?.[0] ?? '';
      expect(section).toContain('so-connector contacts');
      expect(section).toContain('<td class="state-ok">Active</td>');
      expect(section).toContain('<td class="state-bad">TooManyErrors</td>');
      expect(section).toContain(
        '503 from https://hooks.example.test/webhooks/superoffice?token=[REDACTED]',
      );
      expect(section).toMatch(/alerts \(re-activations\)<\/th><td>3/);
      expect(section).toContain(
        `<time datetime="${new Date(admin.seeded.now - 60_000).toISOString()}">`,
      );
      expectNoSecrets(res.text);
    });

    it('shows the queue counts of so-events, so-enrich and so-maintenance', async () => {
      const res = await get('/admin');
      const row = (queue: string) =>
        new RegExp(`<tr data-queue="${queue}">.*?</tr>`).exec(res.text)?.[0] ?? '';
      const numbers = (queue: string) =>
        [...row(queue).matchAll(/<td class="num[^"]*">(\d+)<\/td>/g)].map((m) => Number(m[1]));
      // waiting, delayed, active, failed. so-events holds the two admin.seeded jobs and the one the
      // webhook test above may have accepted.
      expect(numbers('so-events')[0]).toBeGreaterThanOrEqual(2);
      expect(numbers('so-enrich')).toEqual([1, 0, 0, 1]);
      expect(numbers('so-maintenance')).toEqual([0, 0, 0, 0]);
    });

    it('draws the last 24 hours of activity as inline SVG (older buckets left out)', async () => {
      const res = await get('/admin');
      expect(res.text).toMatch(/<svg class="chart"[^>]*role="img"/);
      expect(res.text).toContain('data-kind="events" data-total="3"');
      expect(res.text).toContain('data-kind="enrichments" data-total="1"');
      expect(res.text).toContain('data-kind="skips" data-total="2"');
    });
  });

  describe('/admin/runs/:accountId/:runId', () => {
    const get = (path: string) =>
      supertest(admin.sut.url).get(path).set('Authorization', basicAuth());

    it('shows every event of the run with decision, reason, calls, old → new values and job links', async () => {
      const res = await get(`/admin/runs/42/${admin.seeded.runs.acme}`);
      expect(res.status).toBe(200);
      const rows = [...res.text.matchAll(/<tr data-entry="([^"]+)">/g)].map((m) => m[1]);
      expect(rows).toEqual([
        EVENT_IDS.acmeChanged,
        `enrich:${ENRICH_JOB_IDS.acme}`,
        EVENT_IDS.acmeEcho,
      ]);
      expect(res.text).toContain('relevant: name changed');
      expect(res.text).toContain('echo: changed by the connector itself');
      expect(res.text).toContain('written — builtin provider');
      expect(res.text).toContain('>3 / 1 / 1</span>');
      expect(res.text).toContain(
        '<b><span class="field" title="SuperOffice:1">Vertical</span></b>: <span class="old">Unknown</span> → <span class="new">Software &amp; IT</span>',
      );
      // A value from SuperOffice is text, never markup.
      expect(res.text).toContain('Makes &lt;b&gt;widgets&lt;/b&gt; for everyone');
      expect(res.text).toContain(`href="/admin/queues/queue/so-events/${EVENT_IDS.acmeChanged}"`);
      expect(res.text).toContain(`href="/admin/queues/queue/so-enrich/${ENRICH_JOB_IDS.acme}"`);
    });

    it('shows a failed run’s error, with credentials redacted', async () => {
      const res = await get(`/admin/runs/77/${admin.seeded.runs.globex}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<span class="status status-FAILED">FAILED</span>');
      expect(res.text).toContain(
        'SuperOffice answered 400 Bad Request: invalid UDF value (sent with Bearer [REDACTED])',
      );
      expectNoSecrets(res.text);
    });

    it.each([
      ['/admin/runs/42/no-such-run', 'Sync run not found'],
      ['/admin/runs/abc/x', 'Not found'],
    ])('answers 404 for %s', async (path, title) => {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.text).toContain(`<h1>${title}</h1>`);
    });
  });

  describe('/admin/jobs/:queue/:jobId', () => {
    const get = (path: string) =>
      supertest(admin.sut.url).get(path).set('Authorization', basicAuth());

    it.each([
      ['so-events', EVENT_IDS.acmeChanged, () => `/admin/runs/42/${admin.seeded.runs.acme}`],
      ['so-enrich', ENRICH_JOB_IDS.acme, () => `/admin/runs/42/${admin.seeded.runs.acme}`],
      ['so-enrich', ENRICH_JOB_IDS.globex, () => `/admin/runs/77/${admin.seeded.runs.globex}`],
    ])('redirects a %s job %s to its sync run', async (queue, jobId, target) => {
      const res = await get(`/admin/jobs/${queue}/${jobId}`);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(target());
    });

    it('answers 404, with a link back to Bull Board, for a job no run refers to', async () => {
      const res = await get('/admin/jobs/so-events/00000000-0000-0000-0000-000000000000');
      expect(res.status).toBe(404);
      expect(res.text).toContain(
        'href="/admin/queues/queue/so-events/00000000-0000-0000-0000-000000000000"',
      );
      expect((await get('/admin/jobs/no-such-queue/1')).status).toBe(404);
    });
  });
});

describe('admin UI with an empty Redis', () => {
  it('says "no check yet" for the webhook and draws an empty chart', async () => {
    const sut = await startAdminReceiver({
      redisUrl: redisHolder.current.url,
      prefix: `${redisHolder.current.prefix}-empty`,
    });
    try {
      const res = await supertest(sut.url).get('/admin').set('Authorization', basicAuth());
      expect(res.status).toBe(200);
      expect(res.text).toContain('no check yet');
      expect(res.text).toContain('No sync runs match.');
      expect(res.text).toContain('data-kind="events" data-total="0"');
    } finally {
      await sut.close();
    }
  });
});

describe('admin UI while Redis is down', () => {
  it('answers 503 with a banner instead of failing, and recovers when Redis is back', async () => {
    const server = await startRedisServer();
    const prefix = `${redisHolder.current.prefix}-down`;
    await seedAdminData(server.url, prefix);
    const sut = await startAdminReceiver({ redisUrl: server.url, prefix });
    try {
      const cookie = await login(sut.url);
      await server.kill();
      const res = await supertest(sut.url).get('/admin').set('Cookie', cookie);
      expect(res.status).toBe(503);
      expect(res.text).toContain('<div class="banner" role="alert">Redis is not reachable');
      expect(res.text).toContain('The sync runs could not be read');
      expect(res.text).toContain('The queue counts could not be read');

      const detail = await supertest(sut.url).get('/admin/runs/42/x').set('Cookie', cookie);
      expect(detail.status).toBe(503);

      // The webhook still answers (its event goes to the disk spool).
      const delivery = signedDelivery(aContactChangedEvent({ changes: ['name'] }));
      const hook = await supertest(sut.url)
        .post('/webhooks/superoffice')
        .set(delivery.headers)
        .send(delivery.text);
      expect(hook.status).toBe(200);

      await server.start();
      await waitFor(
        async () => {
          const page = await supertest(sut.url).get('/admin').set('Cookie', cookie);
          // Thrown with the parts the page could not read and the receiver's last word on why, so
          // a timeout says which read failed and how.
          if (page.status !== 200)
            throw new Error(
              `status ${page.status}: ${(page.text.match(/The [^.<]+ could not be read/g) ?? ['no part named']).join('; ')}; ${sut.logLines
                .filter((line) => line.includes('could not read from Redis'))
                .slice(-2)
                .join(' ')}`,
            );
          return true;
        },
        { timeoutMs: 30_000, what: 'the dashboard to recover' },
      );
    } finally {
      await sut.close();
      await server.dispose();
    }
  }, 60_000);
});
